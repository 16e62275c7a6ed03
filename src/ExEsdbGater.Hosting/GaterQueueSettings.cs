using System.ComponentModel.DataAnnotations;

namespace ExEsdbGater.Hosting;

/// <summary>A DI handler's queue (see <see cref="SubscriptionOptions"/>).</summary>
public sealed class GaterQueueSettings
{
    private static readonly SubscriptionOptions Core = new();

    /// <summary>Deliveries the queue holds.</summary>
    /// <value>Default 1,024. At least 1.</value>
    [Range(1, int.MaxValue)]
    public int Capacity { get; set; } = Core.Capacity;

    /// <summary>What a full queue does.</summary>
    /// <value>Default <see cref="QueueFullMode.Wait"/>.</value>
    [EnumDataType(typeof(QueueFullMode))]
    public QueueFullMode FullMode { get; set; } = Core.FullMode;

    internal SubscriptionOptions ToSubscriptionOptions(string? name) => new() { Capacity = Capacity, FullMode = FullMode, Name = name };
}
