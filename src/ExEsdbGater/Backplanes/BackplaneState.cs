namespace ExEsdbGater.Backplanes;

/// <summary>The connection state of a backplane.</summary>
public enum BackplaneState
{
    /// <summary>Connected and delivering.</summary>
    Connected,
    /// <summary>The connection is lost; frames published meanwhile are lost.</summary>
    Disconnected,
    /// <summary>Connected again; subscriptions have been restored.</summary>
    Reconnected,
}
