namespace ExEsdbGater.Beam.Distribution;

/// <summary>Why a distribution operation failed.</summary>
internal enum DistributionError
{
    /// <summary>EPMD could not be reached (connection refused or timed out).</summary>
    EpmdUnreachable,

    /// <summary>EPMD answered but the node is not registered there.</summary>
    NodeNotRegistered,

    /// <summary>EPMD refused to register our name (usually: the name is taken).</summary>
    RegistrationRefused,

    /// <summary>The peer's distribution port could not be reached.</summary>
    PeerUnreachable,

    /// <summary>The peer refused the handshake (status nok, not_allowed, alive).</summary>
    HandshakeRefused,

    /// <summary>Digest mismatch: the cookies differ.</summary>
    WrongCookie,

    /// <summary>The peer broke the handshake protocol (garbage, oversize, missing mandatory flags).</summary>
    ProtocolViolation,

    /// <summary>The operation did not finish within its timeout.</summary>
    Timeout,

    /// <summary>The node name is malformed.</summary>
    BadNodeName,

    /// <summary>No cookie in options, EXG_BEAM_COOKIE or ~/.erlang.cookie.</summary>
    NoCookie,

    /// <summary>The node is closed.</summary>
    Closed,
}
