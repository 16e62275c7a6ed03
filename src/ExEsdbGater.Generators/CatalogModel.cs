// The catalog as the generator needs it, read from catalog.json with every member checked.
using System;
using System.Collections.Generic;
using System.Linq;

namespace ExEsdbGater.Generators;

internal sealed class CatalogEnum
{
    public string Name = "";
    public string Doc = "";
    public List<string> Values = new List<string>();
}

internal sealed class CatalogTopic
{
    public string Name = "";
    public string Doc = "";
}

internal sealed class CatalogModule
{
    public string Instance = "";
    public string Name = "";
    public List<CatalogTopic> Topics = new List<CatalogTopic>();
    public List<CatalogType> Types = new List<CatalogType>();

    /// <summary>The <c>GaterInstance</c> member: <c>ex_esdb_health</c> → <c>Health</c>.</summary>
    public string InstanceMember => Names.Pascal(Instance.Substring("ex_esdb_".Length));
}

internal sealed class CatalogType
{
    public string Name = "";
    public string Tag = "";
    public string Factory = "";
    public List<string> Arguments = new List<string>();
    public List<CatalogField> Fields = new List<CatalogField>();
}

internal sealed class CatalogField
{
    public string Name = "";
    public string Kind = "";
    public bool Required;
    public string Doc = "";
    public bool Added;
    public List<string> Values = new List<string>();
    public string? Enum;
    public string? Items;
    public bool Option;
    public bool HasDefault;
    public object? Default;
    public string? DefaultRule;
    public string IdPrefix = "";
    public List<string> From = new List<string>();

    public string Pascal => Names.Pascal(Name);

    public bool IsNodeField => Name == "node" || Name == "originating_node" || Name == "reporting_node";

    public bool IsReference => Kind == "string" || Kind == "map" || Kind == "list" || Kind == "any";
}

/// <summary>A fault in catalog.json at a character offset: bad JSON (<see cref="IsJson"/>) or a broken catalog rule.</summary>
internal sealed class CatalogException : Exception
{
    public CatalogException(string message, int offset, bool isJson = false)
        : base(message)
    {
        Offset = offset;
        IsJson = isJson;
    }

    public int Offset { get; }

    public bool IsJson { get; }
}

internal sealed class Catalog
{
    public static readonly string[] Kinds = { "string", "integer", "number", "boolean", "map", "list", "instant", "enum", "any" };
    public static readonly string[] Rules = { "now", "this_node", "random_id", "calling_process", "custom" };

    // A misspelt member (say "defualt") would silently change a factory, so unknown members are errors.
    private static readonly string[] FieldMembers =
    {
        "name", "kind", "required", "doc", "added", "values", "enum", "items", "option", "default", "default_rule", "id_prefix", "from",
    };

    public List<CatalogEnum> Enums = new List<CatalogEnum>();
    public List<CatalogModule> Modules = new List<CatalogModule>();

    /// <summary>Reads and checks the catalog; throws <see cref="CatalogException"/>.</summary>
    public static Catalog Read(string text)
    {
        var root = MiniJson.Parse(text) as JsonObject ?? throw new CatalogException("the catalog must be a JSON object", 0);
        var catalog = new Catalog();
        if (root.TryGet("enums", out var enums))
        {
            foreach (var e in Objects(enums, root, "enums"))
            {
                var en = new CatalogEnum { Name = Str(e, "name"), Doc = Str(e, "doc"), Values = Strings(e, "values") };
                CheckIdentifier(en.Name, e);
                foreach (var v in en.Values)
                {
                    if (Names.Snake(Names.Pascal(v)) != v)
                    {
                        throw new CatalogException($"enum {en.Name}: value '{v}' is not lowercase snake_case", e.Offset);
                    }
                }
                if (catalog.Enums.Any(x => x.Name == en.Name))
                {
                    throw new CatalogException($"enum {en.Name} is defined twice", e.Offset);
                }
                catalog.Enums.Add(en);
            }
        }
        foreach (var i in Objects(Member(root, "instances"), root, "instances"))
        {
            var instance = Str(i, "instance");
            if (!instance.StartsWith("ex_esdb_", StringComparison.Ordinal))
            {
                throw new CatalogException($"instance '{instance}' does not start with ex_esdb_", i.Offset);
            }
            var module = Member(i, "module");
            if (module is null)
            {
                continue;
            }
            var m = new CatalogModule { Instance = instance, Name = module as string ?? throw new CatalogException($"{instance}: module must be a string or null", i.Offset) };
            CheckIdentifier(m.Name, i);
            if (i.TryGet("topics", out var topics))
            {
                foreach (var t in Objects(topics, i, "topics"))
                {
                    m.Topics.Add(new CatalogTopic { Name = Str(t, "name"), Doc = Str(t, "doc") });
                }
            }
            foreach (var t in Objects(Member(i, "types"), i, "types"))
            {
                m.Types.Add(ReadType(t, catalog));
            }
            catalog.Modules.Add(m);
        }
        return catalog;
    }

    private static CatalogType ReadType(JsonObject o, Catalog catalog)
    {
        var t = new CatalogType { Name = Str(o, "name"), Tag = Str(o, "tag"), Factory = Str(o, "factory"), Arguments = Strings(o, "arguments") };
        CheckIdentifier(t.Name, o);
        foreach (var fo in Objects(Member(o, "fields"), o, "fields"))
        {
            var f = new CatalogField
            {
                Name = Str(fo, "name"),
                Kind = Str(fo, "kind"),
                Required = Bool(fo, "required"),
                Doc = fo.TryGet("doc", out var d) ? d as string ?? "" : "",
                Added = fo.TryGet("added", out var a) && a is true,
                Option = fo.TryGet("option", out var op) && op is true,
            };
            var where = $"{t.Name}.{f.Name}";
            var unknown = fo.Members.Select(x => x.Key).FirstOrDefault(x => Array.IndexOf(FieldMembers, x) < 0);
            if (unknown is not null)
            {
                throw new CatalogException($"{where}: unknown member '{unknown}' (one of {string.Join(", ", FieldMembers)})", fo.Offset);
            }
            if (Array.IndexOf(Kinds, f.Kind) < 0)
            {
                throw new CatalogException($"{where}: unknown kind '{f.Kind}' (one of {string.Join(", ", Kinds)})", fo.Offset);
            }
            if (f.Kind == "enum")
            {
                f.Values = Strings(fo, "values");
                f.Enum = Str(fo, "enum");
                var en = catalog.Enums.FirstOrDefault(x => x.Name == f.Enum)
                    ?? throw new CatalogException($"{where}: enum '{f.Enum}' is not in the catalog's enums", fo.Offset);
                if (!en.Values.SequenceEqual(f.Values))
                {
                    throw new CatalogException($"{where}: values differ from enum {f.Enum}", fo.Offset);
                }
            }
            if (f.Kind == "list")
            {
                f.Items = Str(fo, "items");
                if (f.Items != "string" && f.Items != "map")
                {
                    throw new CatalogException($"{where}: list items must be string or map, not '{f.Items}'", fo.Offset);
                }
            }
            if (fo.TryGet("default", out var def))
            {
                f.HasDefault = true;
                f.Default = def;
            }
            if (fo.TryGet("default_rule", out var rule))
            {
                f.DefaultRule = rule as string;
                if (f.DefaultRule is null || Array.IndexOf(Rules, f.DefaultRule) < 0)
                {
                    throw new CatalogException($"{where}: unknown default_rule (one of {string.Join(", ", Rules)})", fo.Offset);
                }
            }
            if (fo.TryGet("id_prefix", out var prefix))
            {
                f.IdPrefix = prefix as string ?? throw new CatalogException($"{where}: id_prefix must be a string", fo.Offset);
            }
            if (fo.TryGet("from", out _))
            {
                f.From = Strings(fo, "from");
            }
            t.Fields.Add(f);
        }
        CheckType(t, o);
        return t;
    }

    // The factory is generated from these rules, so contradictions are caught here rather than as odd C#.
    private static void CheckType(CatalogType t, JsonObject o)
    {
        var names = t.Fields.Select(f => f.Name).ToList();
        if (names.Distinct().Count() != names.Count)
        {
            throw new CatalogException($"{t.Name}: duplicate field names", o.Offset);
        }
        if (!t.Fields.Any(f => f.Name == "timestamp" && f.Kind == "instant" && f.Required))
        {
            throw new CatalogException($"{t.Name}: needs a required instant field 'timestamp'", o.Offset);
        }
        foreach (var a in t.Arguments)
        {
            if (!names.Contains(a))
            {
                throw new CatalogException($"{t.Name}: argument '{a}' is not a field", o.Offset);
            }
        }
        foreach (var f in t.Fields)
        {
            var where = $"{t.Name}.{f.Name}";
            var isArgument = t.Arguments.Contains(f.Name);
            if (isArgument && (f.Option || f.HasDefault || f.DefaultRule is not null))
            {
                throw new CatalogException($"{where}: an argument has no option or default", o.Offset);
            }
            if (f.HasDefault && f.DefaultRule is not null)
            {
                throw new CatalogException($"{where}: give default or default_rule, not both", o.Offset);
            }
            if (!isArgument && !f.Option && f.DefaultRule is null)
            {
                throw new CatalogException($"{where}: neither an argument, an option nor set by a default_rule", o.Offset);
            }
            if (f.HasDefault && !f.Option)
            {
                throw new CatalogException($"{where}: a default needs \"option\": true", o.Offset);
            }
            if (f.DefaultRule == "custom" && f.From.Any(x => !names.Contains(x) || (!t.Arguments.Contains(x) && !t.Fields.First(y => y.Name == x).Option)))
            {
                throw new CatalogException($"{where}: 'from' may name only arguments and options", o.Offset);
            }
            if (f.DefaultRule == "this_node" && !(f.Kind == "string" || (f.Kind == "list" && f.Items == "string")))
            {
                throw new CatalogException($"{where}: this_node fits only string or string-list fields", o.Offset);
            }
            if ((f.DefaultRule == "random_id" || f.DefaultRule == "calling_process") && f.Kind != "string")
            {
                throw new CatalogException($"{where}: {f.DefaultRule} fits only string fields", o.Offset);
            }
            if (f.DefaultRule == "now" && f.Kind != "instant")
            {
                throw new CatalogException($"{where}: now fits only instant fields", o.Offset);
            }
            if (f.HasDefault && !DefaultFits(f))
            {
                throw new CatalogException($"{where}: default does not fit kind {f.Kind}", o.Offset);
            }
        }
    }

    private static bool DefaultFits(CatalogField f)
    {
        switch (f.Default)
        {
            case null:
                return true;
            case string s:
                return f.Kind == "string" || (f.Kind == "enum" && f.Values.Contains(s));
            case bool _:
                return f.Kind == "boolean";
            case JsonNumber n:
                return f.Kind == "number" || (f.Kind == "integer" && n.IsInteger);
            case JsonObject o:
                return f.Kind == "map" && o.Members.Count == 0;
            case List<object?> l:
                return f.Kind == "list" && l.Count == 0;
            default:
                return false;
        }
    }

    private static void CheckIdentifier(string name, JsonObject at)
    {
        if (name.Length == 0 || !char.IsUpper(name[0]) || !name.All(char.IsLetterOrDigit))
        {
            throw new CatalogException($"'{name}' is not a PascalCase C# name", at.Offset);
        }
    }

    private static object? Member(JsonObject o, string name)
        => o.TryGet(name, out var v) ? v : throw new CatalogException($"missing member '{name}'", o.Offset);

    private static string Str(JsonObject o, string name)
        => Member(o, name) as string ?? throw new CatalogException($"member '{name}' must be a string", o.Offset);

    private static bool Bool(JsonObject o, string name)
        => Member(o, name) as bool? ?? throw new CatalogException($"member '{name}' must be true or false", o.Offset);

    private static List<string> Strings(JsonObject o, string name)
    {
        var list = Member(o, name) as List<object?> ?? throw new CatalogException($"member '{name}' must be an array", o.Offset);
        return list.Select(x => x as string ?? throw new CatalogException($"member '{name}' must hold strings", o.Offset)).ToList();
    }

    private static IEnumerable<JsonObject> Objects(object? value, JsonObject parent, string name)
    {
        var list = value as List<object?> ?? throw new CatalogException($"member '{name}' must be an array", parent.Offset);
        return list.Select(x => x as JsonObject ?? throw new CatalogException($"member '{name}' must hold objects", parent.Offset)).ToList();
    }
}

internal static class Names
{
    /// <summary><c>rate_limit</c> → <c>RateLimit</c>, <c>p50</c> → <c>P50</c>.</summary>
    public static string Pascal(string snake)
        => string.Concat(snake.Split('_').Where(p => p.Length > 0).Select(p => char.ToUpperInvariant(p[0]) + p.Substring(1)));

    /// <summary><c>rate_limit</c> → <c>rateLimit</c>.</summary>
    public static string Camel(string snake)
    {
        var p = Pascal(snake);
        return char.ToLowerInvariant(p[0]) + p.Substring(1);
    }

    /// <summary>The inverse of <see cref="Pascal"/> as System.Text.Json's snake_case policy computes it (for enum wire names).</summary>
    public static string Snake(string pascal)
    {
        var sb = new System.Text.StringBuilder();
        for (var i = 0; i < pascal.Length; i++)
        {
            var c = pascal[i];
            if (char.IsUpper(c) && i > 0 && !char.IsUpper(pascal[i - 1]))
            {
                sb.Append('_');
            }
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }
}
