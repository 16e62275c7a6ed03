using System.Globalization;
using System.Text;
using ExEsdbGater.Beam.Terms;

namespace ExEsdbGater.Beam.Mapping;

/// <summary>
/// The textual form of terms that have no JSON form (pids, references, ports, funs, tuples, improper lists, non-UTF-8
/// binaries), as the mapping stores them in string and <c>any</c> fields. Close to Elixir's <c>inspect</c>, except that
/// pids, ports and references name their node (<c>#PID&lt;a@h.85.0&gt;</c>): inspect's local numbering means nothing
/// on another node. Bounded to <see cref="MaxLength"/> characters.
/// </summary>
internal static class TermText
{
    public const int MaxLength = 1024;

    public static string Format(Term term)
    {
        var sb = new StringBuilder();
        Append(sb, term, 0);
        return sb.Length > MaxLength ? string.Concat(sb.ToString(0, MaxLength), "…") : sb.ToString();
    }

    private static void Append(StringBuilder sb, Term term, int depth)
    {
        if (sb.Length > MaxLength)
        {
            return;
        }
        if (depth > 32)
        {
            sb.Append("...");
            return;
        }
        switch (term)
        {
            case Atom a:
                sb.Append(AtomText(a.Name));
                break;
            case Binary b when b.TryGetString(out var s):
                sb.Append('"').Append(s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
                break;
            case Binary b:
                sb.Append("<<");
                var span = b.Bytes.Span;
                for (var i = 0; i < span.Length && sb.Length <= MaxLength; i++)
                {
                    sb.Append(i == 0 ? "" : ", ").Append(span[i].ToString(CultureInfo.InvariantCulture));
                }
                if (b.IsBitString)
                {
                    sb.Append("::size(").Append(b.TrailingBits.ToString(CultureInfo.InvariantCulture)).Append(')');
                }
                sb.Append(">>");
                break;
            case Integer i:
                sb.Append(i.Value.ToString(CultureInfo.InvariantCulture));
                break;
            case Float f:
                sb.Append(f.Value.ToString("R", CultureInfo.InvariantCulture));
                break;
            case Terms.Tuple t:
                sb.Append('{');
                Items(sb, t.Elements, depth);
                sb.Append('}');
                break;
            case List l:
                sb.Append('[');
                Items(sb, l.Elements, depth);
                if (!l.IsProper)
                {
                    sb.Append(" | ");
                    Append(sb, l.Tail, depth + 1);
                }
                sb.Append(']');
                break;
            case Map m:
                sb.Append("%{");
                var first = true;
                foreach (var (k, v) in m.Pairs)
                {
                    sb.Append(first ? "" : ", ");
                    first = false;
                    Append(sb, k, depth + 1);
                    sb.Append(" => ");
                    Append(sb, v, depth + 1);
                }
                sb.Append('}');
                break;
            case Pid p:
                sb.Append(CultureInfo.InvariantCulture, $"#PID<{p.Node.Name}.{p.Id}.{p.Serial}>");
                break;
            case Port p:
                sb.Append(CultureInfo.InvariantCulture, $"#Port<{p.Node.Name}.{p.Id}>");
                break;
            case Reference r:
                sb.Append("#Reference<").Append(r.Node.Name);
                foreach (var id in r.Ids)
                {
                    sb.Append('.').Append(id.ToString(CultureInfo.InvariantCulture));
                }
                sb.Append('>');
                break;
            case Opaque o:
                sb.Append(o.Tag == 113 ? "#Function<export>" : "#Function<>");
                break;
            default:
                sb.Append(term.GetType().Name);
                break;
        }
    }

    private static void Items(StringBuilder sb, IReadOnlyList<Term> items, int depth)
    {
        for (var i = 0; i < items.Count && sb.Length <= MaxLength; i++)
        {
            sb.Append(i == 0 ? "" : ", ");
            Append(sb, items[i], depth + 1);
        }
    }

    /// <summary><c>nil</c>, <c>true</c>, <c>false</c> bare; <c>:name</c> when simple, else <c>:"..."</c>.</summary>
    public static string AtomText(string name)
    {
        if (name is "nil" or "true" or "false")
        {
            return name;
        }
        var simple = name.Length > 0 && (char.IsAsciiLetterLower(name[0]) || name[0] == '_')
            && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '@');
        return simple ? ":" + name : ":\"" + name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>What kind of term this is, for error details (<c>a binary</c>, <c>the atom :x</c>, …).</summary>
    public static string Describe(Term term)
    {
        var text = Format(term);
        if (text.Length > 60)
        {
            text = string.Concat(text.AsSpan(0, 60), "…");
        }
        return term switch
        {
            Atom => "the atom " + text,
            Binary => "the binary " + text,
            Integer => "the integer " + text,
            Float => "the float " + text,
            Terms.Tuple => "the tuple " + text,
            List => "the list " + text,
            Map => "the map " + text,
            Pid => "the pid " + text,
            _ => text,
        };
    }
}
