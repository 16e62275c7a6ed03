using Microsoft.Extensions.Logging;

namespace ExEsdbGater.Hosting.Bridges;

/// <summary>One log call, copied to plain values when it is made (no reference into the caller's state is kept).</summary>
internal sealed record LogRecord(LogLevel Level, string Category, string Message, JsonMap Metadata);
