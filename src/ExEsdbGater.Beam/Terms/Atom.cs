using System.Collections.Concurrent;

namespace ExEsdbGater.Beam.Terms;

/// <summary>An atom: a name of at most 255 characters. Common atoms are shared instances.</summary>
internal sealed class Atom : Term
{
    /// <summary>The most characters an atom may have (erts' MAX_ATOM_CHARACTERS).</summary>
    public const int MaxCharacters = 255;

    private static readonly ConcurrentDictionary<string, Atom> Interned = new(StringComparer.Ordinal);

    // Lets the decoder find an interned atom from its decoded characters without allocating a string.
    private static readonly ConcurrentDictionary<string, Atom>.AlternateLookup<ReadOnlySpan<char>> InternedBySpan
        = Interned.GetAlternateLookup<ReadOnlySpan<char>>();

    private byte[]? _utf8;

    public static readonly Atom True = Intern("true");
    public static readonly Atom False = Intern("false");
    public static readonly Atom Nil = Intern("nil");
    public static readonly Atom Ok = Intern("ok");
    public static readonly Atom Error = Intern("error");
    public static readonly Atom Undefined = Intern("undefined");

    private Atom(string name)
    {
        Name = name;
        IsLatin1 = !name.AsSpan().ContainsAnyExceptInRange('\u0000', '\u00FF');
    }

    public string Name { get; }

    /// <summary>True when every character is latin-1, so OTP ≤ 25's term_to_binary writes it as ATOM_EXT.</summary>
    public bool IsLatin1 { get; }

    /// <summary>The name as UTF-8 (computed once; atoms are reused, so the writer should not re-encode them).</summary>
    internal ReadOnlySpan<byte> Utf8Name => _utf8 ??= System.Text.Encoding.UTF8.GetBytes(Name);

    /// <summary>
    /// The atom named <paramref name="name"/>. Atoms of known names are interned; others (from a peer) are not, so a
    /// flood of distinct names cannot grow a table without bound.
    /// </summary>
    public static Atom Of(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Interned.TryGetValue(name, out var a) ? a : new Atom(name);
    }

    /// <summary>As <see cref="Of(string)"/>, without allocating a string when the name is interned.</summary>
    public static Atom Of(ReadOnlySpan<char> name) => InternedBySpan.TryGetValue(name, out var a) ? a : new Atom(name.ToString());

    /// <summary>Interned: for names this program itself uses.</summary>
    public static Atom Intern(string name) => Interned.GetOrAdd(name, static n => new Atom(n));

    public override bool Equals(Term? other) => other is Atom a && string.Equals(a.Name, Name, StringComparison.Ordinal);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Name);

    public override string ToString()
        => Name.Length > 0 && char.IsAsciiLetterLower(Name[0]) && Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '@')
            ? Name
            : "'" + Name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";
}
