using System.ComponentModel.DataAnnotations;

namespace ExEsdbGater.Hosting;

/// <summary>A DI handler's queue (see <see cref="SubscriptionOptions"/>).</summary>
public sealed class GaterQueueSettings
{
    private static readonly SubscriptionOptions Core = new();

    /// <summary>Deliveries the queue holds.</summary>
    /// <value>Default 1,024. At least 1.</value>
    [Range(1, int.MaxValue, ErrorMessage = "{0} must be at least 1.")]
    public int Capacity { get; set; } = Core.Capacity;

    /// <summary>What a full queue does.</summary>
    /// <value>Default <see cref="QueueFullMode.Wait"/>.</value>
    [EnumDataType(typeof(QueueFullMode), ErrorMessage = "{0} must be Wait, DropOldest or DropNewest.")]
    public QueueFullMode FullMode { get; set; } = Core.FullMode;

    internal SubscriptionOptions ToSubscriptionOptions(string? name) => new() { Capacity = Capacity, FullMode = FullMode, Name = name };
}
