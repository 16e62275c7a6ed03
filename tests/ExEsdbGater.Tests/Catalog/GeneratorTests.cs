using System.Collections.Immutable;
using System.Reflection;
using ExEsdbGater.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace ExEsdbGater.Tests.Catalog;

public sealed class GeneratorTests
{
    private const string Small = """
        {
          "enums": [ { "name": "Mood", "doc": "How it feels.", "values": ["fine", "rate_limit"] } ],
          "instances": [
            { "instance": "ex_esdb_health", "module": "TinyMessages",
              "topics": [ { "name": "small_talk", "doc": "Chatter." } ],
              "types": [
                { "name": "Ping", "tag": "ping_sent", "factory": "ping", "arguments": ["mood"],
                  "fields": [
                    { "name": "ping_id", "kind": "string", "required": true, "doc": "string - id", "option": true, "default_rule": "random_id", "id_prefix": "ping_" },
                    { "name": "mood", "kind": "enum", "required": true, "doc": ":fine", "values": ["fine", "rate_limit"], "enum": "Mood" },
                    { "name": "tries", "kind": "integer", "required": false, "doc": "integer - tries", "option": true, "default": 3 },
                    { "name": "peers", "kind": "list", "required": false, "doc": "[atom] - peers", "items": "string", "option": true, "default": [] },
                    { "name": "node", "kind": "string", "required": true, "doc": "atom - node", "option": true, "default_rule": "this_node" },
                    { "name": "timestamp", "kind": "instant", "required": true, "doc": "DateTime.t", "default_rule": "now" }
                  ] }
              ] },
            { "instance": "ex_esdb_events", "module": null, "types": [] }
          ]
        }
        """;

    private sealed class InMemoryText(string path, string text) : AdditionalText
    {
        public override string Path => path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text);
    }

    private static GeneratorRunResult Run(string json)
    {
        var compilation = CSharpCompilation.Create("probe", [], [MetadataReference.CreateFromFile(typeof(object).Assembly.Location)]);
        GeneratorDriver driver = CSharpGeneratorDriver.Create([new CatalogGenerator().AsSourceGenerator()], [new InMemoryText("/spec/catalog.json", json)]);
        return driver.RunGenerators(compilation).GetRunResult().Results.Single();
    }

    private static T Single<T>(GeneratorRunResult result, string hint, Func<T, bool> pick)
        where T : SyntaxNode
        => result.GeneratedSources.Single(s => s.HintName == hint).SyntaxTree.GetRoot().DescendantNodes().OfType<T>().Single(pick);

    [Fact]
    public void A_small_catalog_gives_one_file_per_type_with_the_catalogs_members()
    {
        var result = Run(Small);
        Assert.Null(result.Exception);
        Assert.Empty(result.Diagnostics);
        Assert.Equal(
            ["Messages/MessageCatalog.g.cs", "Messages/Mood.g.cs", "Messages/PayloadRead.g.cs", "Messages/Ping.g.cs", "Messages/TinyMessages.g.cs"],
            result.GeneratedSources.Select(s => s.HintName).Order(StringComparer.Ordinal));
        Assert.All(result.GeneratedSources, s => Assert.Empty(s.SyntaxTree.GetDiagnostics()));

        var mood = Single<EnumDeclarationSyntax>(result, "Messages/Mood.g.cs", _ => true);
        Assert.Equal(["Fine", "RateLimit"], mood.Members.Select(m => m.Identifier.Text));

        var ping = Single<RecordDeclarationSyntax>(result, "Messages/Ping.g.cs", r => r.Identifier.Text == "Ping");
        Assert.Equal(
            ["string PingId", "Mood Mood", "long? Tries", "ValueList<string>? Peers", "string Node", "DateTimeOffset Timestamp"],
            ping.ParameterList!.Parameters.Select(p => $"{p.Type} {p.Identifier}"));
        Assert.Contains(ping.Members.OfType<FieldDeclarationSyntax>(), f => f.ToString().Contains("TagName = \"ping_sent\"", StringComparison.Ordinal));
        Assert.Contains(ping.Members.OfType<MethodDeclarationSyntax>(), m => m.Identifier.Text == "Validate");

        var factory = Single<MethodDeclarationSyntax>(result, "Messages/TinyMessages.g.cs", m => m.Identifier.Text == "Ping");
        Assert.Equal(
            ["Mood mood", "string? pingId = null", "long? tries = null", "ValueList<string>? peers = null", "string? node = null", "MessageContext? messageContext = null"],
            factory.ParameterList.Parameters.Select(p => p.ToString()));
        // the public factory forwards to its core, which holds the defaults
        Assert.Contains("PingCore(", factory.ExpressionBody!.ToString(), StringComparison.Ordinal);
        var body = Single<MethodDeclarationSyntax>(result, "Messages/TinyMessages.g.cs", m => m.Identifier.Text == "PingCore").Body!.ToString();
        Assert.Contains("pingId ?? \"ping_\" + ctx.RandomHex(16)", body, StringComparison.Ordinal);
        Assert.Contains("tries ?? 3", body, StringComparison.Ordinal);
        Assert.Contains("peers ?? ValueList<string>.Empty", body, StringComparison.Ordinal);
        Assert.Contains("node ?? ctx.Node", body, StringComparison.Ordinal);
        var module = Single<ClassDeclarationSyntax>(result, "Messages/TinyMessages.g.cs", _ => true);
        Assert.Contains(module.Members.OfType<FieldDeclarationSyntax>(), f => f.ToString().Contains("SmallTalkTopic = \"small_talk\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Each_record_gets_a_one_pass_reader_matching_member_names_as_utf8()
    {
        var result = Run(Small);
        Assert.Empty(result.Diagnostics);
        var tryRead = Single<MethodDeclarationSyntax>(result, "Messages/Ping.g.cs", m => m.Identifier.Text == "TryRead");
        Assert.Equal("bool", tryRead.ReturnType.ToString());
        Assert.Equal(
            ["System.ReadOnlySpan<byte> payloadJson", "out Ping? message", "out PayloadFault fault"],
            tryRead.ParameterList.Parameters.Select(p => $"{p.Modifiers} {p.Type} {p.Identifier}".Trim()));
        var body = tryRead.Body!.ToString();
        // one reader, one loop, a case per field in catalog order, unknown members skipped
        Assert.Contains("new Utf8JsonReader(payloadJson, PayloadRead.Options)", body, StringComparison.Ordinal);
        Assert.Equal(["0", "1", "2", "3", "4", "5"], tryRead.DescendantNodes().OfType<CaseSwitchLabelSyntax>().Select(c => c.Value.ToString()));
        Assert.Contains("r.Skip();", body, StringComparison.Ordinal);
        // kinds: an enum by its generated reader, a list of strings, a node name checked after the kinds
        Assert.Contains("PayloadRead.Enum(ref r, out vMood)", body, StringComparison.Ordinal);
        Assert.Contains("PayloadRead.Strings(ref r, out vPeers)", body, StringComparison.Ordinal);
        Assert.Contains("PayloadRead.Integer(ref r, out long value)", body, StringComparison.Ordinal);
        Assert.Contains("!NodeName.IsValid(vNode)", body, StringComparison.Ordinal);
        // required fields: null refused at once, absence after the pass; the node fault comes last
        Assert.Contains("if (r.TokenType == JsonTokenType.Null || !PayloadRead.Instant(ref r, out vTimestamp)) return PayloadRead.Fail(\"timestamp\"", body, StringComparison.Ordinal);
        Assert.Contains("if ((seen & (1UL << 1)) == 0) return PayloadRead.Fail(\"mood\", badNode, out message, out fault);", body, StringComparison.Ordinal);
        Assert.True(body.IndexOf("PayloadRead.FailNode(\"node\"", StringComparison.Ordinal) > body.IndexOf("Fail(\"timestamp\", badNode", StringComparison.Ordinal));
        Assert.DoesNotContain("GetString()", body, StringComparison.Ordinal);

        var names = Single<MethodDeclarationSyntax>(result, "Messages/Ping.g.cs", m => m.Identifier.Text == "FieldOf" && m.ExpressionBody is not null).ToString();
        Assert.Contains("7 => name.SequenceEqual(\"ping_id\"u8) ? 0 : -1", names, StringComparison.Ordinal);
        Assert.Contains("4 => name.SequenceEqual(\"mood\"u8) ? 1 : name.SequenceEqual(\"node\"u8) ? 4 : -1", names, StringComparison.Ordinal);

        var mood = Single<MethodDeclarationSyntax>(result, "Messages/PayloadRead.g.cs", m => m.Identifier.Text == "Enum" && m.ParameterList.Parameters[0].Type!.ToString() == "Utf8JsonReader").ToString();
        Assert.Contains("out Mood value", mood, StringComparison.Ordinal);
        Assert.Contains("r.ValueTextEquals(\"rate_limit\"u8)) { value = Mood.RateLimit; return true; }", mood, StringComparison.Ordinal);
        var moodOfMember = Single<MethodDeclarationSyntax>(result, "Messages/PayloadRead.g.cs", m => m.Identifier.Text == "Enum" && m.ParameterList.Parameters.Count == 3).ToString();
        Assert.Contains("if (text.SequenceEqual(\"rate_limit\"u8)) { value = Mood.RateLimit; return true; }", moodOfMember, StringComparison.Ordinal);

        // the verifier's twin over the scanner's recorded members: the same cases and failures, no second pass
        var members = Single<MethodDeclarationSyntax>(result, "Messages/Ping.g.cs", m => m.Identifier.Text == "TryReadMembers").Body!.ToString();
        Assert.Contains("foreach (ref readonly var m in members)", members, StringComparison.Ordinal);
        Assert.Contains("PayloadRead.Enum(body, in m, out vMood)", members, StringComparison.Ordinal);
        Assert.Contains("if ((seen & (1UL << 1)) == 0) return PayloadRead.Fail(\"mood\", badNode, out message, out fault);", members, StringComparison.Ordinal);
        Assert.DoesNotContain("Utf8JsonReader", members, StringComparison.Ordinal);

        // the signer's writer: members in catalog order, nulls written, names encoded once
        var write = Single<MethodDeclarationSyntax>(result, "Messages/Ping.g.cs", m => m.Identifier.Text == "Write").Body!.ToString();
        var ping = result.GeneratedSources.Single(s => s.HintName == "Messages/Ping.g.cs").SourceText.ToString();
        Assert.Contains("private static readonly JsonEncodedText WriterName_0 = JsonEncodedText.Encode(\"ping_id\"u8);", ping, StringComparison.Ordinal);
        Assert.Contains("private static readonly JsonEncodedText WriterName_1 = JsonEncodedText.Encode(\"mood\"u8);", ping, StringComparison.Ordinal);
        Assert.True(write.IndexOf("WriterName_0", StringComparison.Ordinal) < write.IndexOf("WriterName_1", StringComparison.Ordinal));
        Assert.DoesNotContain("u8", write, StringComparison.Ordinal);
        Assert.Contains("PayloadWrite.Enum(w, m.Mood)", write, StringComparison.Ordinal);

        var descriptor = result.GeneratedSources.Single(s => s.HintName == "Messages/MessageCatalog.g.cs").SourceText.ToString();
        Assert.Contains("global::ExEsdbGater.Messages.Ping.TryRead(p, out var t, out f)", descriptor, StringComparison.Ordinal);
        Assert.Contains("global::ExEsdbGater.Messages.Ping.TryReadMembers(b, ms, out var t, out f)", descriptor, StringComparison.Ordinal);
        Assert.Contains("global::ExEsdbGater.Messages.Ping.Write(w, (global::ExEsdbGater.Messages.Ping)m)", descriptor, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"node":"a@h","status":"healthy","timestamp":"2026-11-27T04:00:00Z"}""", null)]
    [InlineData("""{"\u006eode":"a@h","st\u0061tus":"\u0068ealthy","extra":{"node":1},"timestamp":"2026-11-27T04:00:00+01:00","checks":{"a":[1]}}""", null)]
    [InlineData("""{"node":"a@h","status":"Healthy","timestamp":"2026-11-27T04:00:00Z"}""", "field status")]
    [InlineData("""{"node":"a@h","status":"healthy"}""", "field timestamp")]
    [InlineData("""{"node":"a@h","status":"healthy","timestamp":null}""", "field timestamp")]
    [InlineData("""{"node":"nobody","status":"healthy","timestamp":"2026-11-27T04:00:00Z"}""", "field node is not a node name")]
    [InlineData("""{"node":"nobody","status":"healthy","load_avg":"high","timestamp":"2026-11-27T04:00:00Z"}""", "field node")]
    [InlineData("""{"node":"a@h","status":"healthy","checks":[],"timestamp":"2026-11-27T04:00:00Z"}""", "field checks")]
    [InlineData("""[]""", "field payload")]
    public void The_generated_reader_of_a_catalog_type_reads_or_names_the_field(string payload, string? detail)
    {
        var ok = NodeHealth.TryRead(System.Text.Encoding.UTF8.GetBytes(payload), out var message, out var fault);
        Assert.Equal(detail is null, ok);
        if (ok)
        {
            Assert.Equal("a@h", message!.Node);
            Assert.Equal(NodeHealthStatus.Healthy, message.Status);
            Assert.Equal(TimeSpan.Zero, message.Timestamp.Offset);
            Assert.Null(message.LoadAvg);
        }
        else
        {
            Assert.Null(message);
            Assert.Equal(detail, fault.Detail);
        }
    }

    [Theory]
    [InlineData("{ \"instances\": [ }", "GATER001", "catalog.json is not valid JSON")]
    [InlineData("{ \"instances\": [], \"instances\": [] }", "GATER001", "duplicate member 'instances'")]
    [InlineData("[]", "GATER002", "must be a JSON object")]
    [InlineData("{ }", "GATER002", "missing member 'instances'")]
    public void Malformed_json_is_a_diagnostic_not_a_crash(string json, string id, string message)
    {
        var result = Run(json);
        Assert.Null(result.Exception);
        Assert.Empty(result.GeneratedSources);
        var d = Assert.Single(result.Diagnostics);
        Assert.Equal(id, d.Id);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Contains(message, d.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Equal("/spec/catalog.json", d.Location.GetLineSpan().Path);
    }

    [Theory]
    [InlineData("\"kind\": \"integer\", \"required\": false, \"doc\": \"integer - tries\", \"option\": true, \"default\": 3", "\"kind\": \"decimal\", \"required\": false, \"doc\": \"x\", \"option\": true", "Ping.tries: unknown kind 'decimal'")]
    [InlineData("\"default_rule\": \"random_id\"", "\"default_rule\": \"dice\"", "Ping.ping_id: unknown default_rule")]
    [InlineData("\"enum\": \"Mood\"", "\"enum\": \"Feeling\"", "Ping.mood: enum 'Feeling' is not in the catalog's enums")]
    [InlineData("\"default\": 3", "\"default\": \"three\"", "Ping.tries: default does not fit kind integer")]
    [InlineData("\"default\": 3", "\"defualt\": 3", "Ping.tries: unknown member 'defualt'")]
    [InlineData("\"arguments\": [\"mood\"]", "\"arguments\": []", "Ping.mood: neither an argument, an option nor set by a default_rule")]
    public void A_catalog_that_breaks_the_rules_names_the_field(string from, string to, string message)
    {
        Assert.Contains(from, Small, StringComparison.Ordinal);
        var result = Run(Small.Replace(from, to, StringComparison.Ordinal));
        Assert.Null(result.Exception);
        Assert.Empty(result.GeneratedSources);
        var d = Assert.Single(result.Diagnostics);
        Assert.Equal("GATER002", d.Id);
        Assert.Contains(message, d.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.True(d.Location.GetLineSpan().StartLinePosition.Line > 0, "points into the file");
    }

    [Fact]
    public void Every_public_catalog_type_is_findable_by_file_name()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "ExEsdbGater.slnx")))
        {
            root = Path.GetDirectoryName(root)!;
        }
        var result = Run(File.ReadAllText(Path.Combine(root, "spec", "catalog.json")));
        Assert.Empty(result.Diagnostics);
        var generated = result.GeneratedSources.Select(s => s.HintName).ToHashSet(StringComparer.Ordinal);
        foreach (var ns in new[] { "Messages", "Json" })
        {
            var types = typeof(GaterMessage).Assembly.GetExportedTypes().Where(t => t.Namespace == "ExEsdbGater." + ns && !t.IsNested);
            foreach (var t in types)
            {
                var name = t.Name.Split('`')[0];
                Assert.True(
                    generated.Contains($"{ns}/{name}.g.cs") || File.Exists(Path.Combine(root, "src", "ExEsdbGater", ns, name + ".cs")),
                    $"{t.FullName} has no file named after it");
            }
        }
    }
}
