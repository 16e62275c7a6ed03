namespace ExEsdbGater.Backplanes;

/// <summary>A change of a backplane's connection state.</summary>
/// <param name="State">The new state.</param>
/// <param name="Detail">What happened, for logs.</param>
public readonly record struct BackplaneStateChange(BackplaneState State, string? Detail);
