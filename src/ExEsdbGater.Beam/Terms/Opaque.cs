namespace ExEsdbGater.Beam.Terms;

/// <summary>
/// A term carried but not interpreted: a fun (NEW_FUN_EXT, 112) or an export (EXPORT_EXT, 113). It keeps its fixed
/// bytes and its embedded terms (module, function or pid, free variables), so it can be written back exactly, in
/// either atom encoding.
/// </summary>
internal sealed class Opaque : Term
{
    /// <summary>NEW_FUN_EXT's tag.</summary>
    public const byte FunTag = 112;

    /// <summary>EXPORT_EXT's tag.</summary>
    public const byte ExportTag = 113;

    /// <summary>The bytes of NEW_FUN_EXT between Size and Module: Arity, Uniq, Index and NumFree.</summary>
    public const int FunFixedBytes = 1 + 16 + 4 + 4;

    /// <param name="tag">112 or 113.</param>
    /// <param name="fixedFields">For a fun, the <see cref="FunFixedBytes"/> bytes of Arity, Uniq, Index, NumFree; for an export, none.</param>
    /// <param name="terms">For a fun: Module, OldIndex, OldUniq, Pid, then the free variables; for an export: Module, Function, Arity.</param>
    public Opaque(byte tag, ReadOnlyMemory<byte> fixedFields, IReadOnlyList<Term> terms)
    {
        var valid = tag switch
        {
            FunTag => fixedFields.Length == FunFixedBytes && terms.Count >= 4,
            ExportTag => fixedFields.IsEmpty && terms.Count == 3 && terms[2] is Integer { Value.Sign: >= 0 } a && a.Value <= 255,
            _ => false,
        };
        if (!valid)
        {
            throw new ArgumentException($"not the parts of a NEW_FUN_EXT or EXPORT_EXT (tag {tag})", nameof(terms));
        }
        Tag = tag;
        Fixed = fixedFields;
        Terms = terms;
    }

    public byte Tag { get; }

    public ReadOnlyMemory<byte> Fixed { get; }

    public IReadOnlyList<Term> Terms { get; }

    public override bool Equals(Term? other)
        => other is Opaque o && o.Tag == Tag && o.Fixed.Span.SequenceEqual(Fixed.Span) && o.Terms.SequenceEqual(Terms);

    public override int GetHashCode() => HashCode.Combine(Tag, Fixed.Length, Terms.Count, Terms[0]);

    public override string ToString() => Tag == ExportTag ? $"fun {Terms[0]}:{Terms[1]}/{Terms[2]}" : $"#Function<{Terms[0]}>";
}
