namespace ExEsdbGater.Messages;

/// <summary>The JSON kinds of payload fields (wire-format section 4).</summary>
public enum FieldKind
{
    /// <summary>A JSON string.</summary>
    String,
    /// <summary>A JSON integer (no fraction, no exponent).</summary>
    Integer,
    /// <summary>Any JSON number.</summary>
    Number,
    /// <summary><c>true</c> or <c>false</c>.</summary>
    Boolean,
    /// <summary>A JSON object.</summary>
    Map,
    /// <summary>A JSON array.</summary>
    List,
    /// <summary>An RFC 3339 instant string.</summary>
    Instant,
    /// <summary>One of a closed set of strings.</summary>
    Enum,
    /// <summary>Any JSON value.</summary>
    Any,
}
