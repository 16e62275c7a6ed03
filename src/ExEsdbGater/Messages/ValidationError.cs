namespace ExEsdbGater.Messages;

/// <summary>The error kinds of message validation (their wire names are snake_case).</summary>
public enum ValidationError
{
    /// <summary><c>missing_fields</c>: required fields are null.</summary>
    MissingFields,
    /// <summary><c>invalid_node_fields</c>: node fields that are not node names.</summary>
    InvalidNodeFields,
    /// <summary><c>invalid_timestamp</c>: the timestamp is not a set instant.</summary>
    InvalidTimestamp,
    /// <summary><c>invalid_fields</c>: fields whose values break their kind (undefined enum value, null list item).</summary>
    InvalidFields,
    /// <summary><c>unknown_instance</c>: the instance has no message module.</summary>
    UnknownInstance,
    /// <summary><c>wrong_instance</c>: the message belongs to another instance.</summary>
    WrongInstance,
    /// <summary><c>unknown_type</c>: the message type is not in the catalog.</summary>
    UnknownType,
}
