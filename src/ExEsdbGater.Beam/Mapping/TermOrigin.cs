using ExEsdbGater.Beam.Terms;

namespace ExEsdbGater.Beam.Mapping;

/// <summary>
/// The terms a received message's fields arrived as, beside the typed values made of them. Mapping the message back
/// with its origin writes every unchanged field as it arrived (a binary where the original documents an atom, an
/// integer in a number field, a pid in an <c>any</c>), so a received message re-encodes byte for byte; a field whose
/// typed value changed is written as the mapping writes new values.
/// </summary>
internal sealed class TermOrigin
{
    private readonly Dictionary<string, (object? Value, Term Term)> _fields;

    public TermOrigin(Term message, Dictionary<string, (object? Value, Term Term)> fields)
    {
        Message = message;
        _fields = fields;
    }

    /// <summary>The whole <c>{tag, %Struct{}}</c> term as received.</summary>
    public Term Message { get; }

    /// <summary>The field's term as received, if the typed value is still the one made of it.</summary>
    public bool TryGetUnchanged(string field, object? currentValue, out Term term)
    {
        if (_fields.TryGetValue(field, out var f) && Equals(f.Value, currentValue))
        {
            term = f.Term;
            return true;
        }
        term = Atom.Nil;
        return false;
    }
}
