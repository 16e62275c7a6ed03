namespace ExEsdbGater.Hosting;

/// <summary>One DI handler: subscribes it when the bus starts.</summary>
/// <param name="Describe">For logs: handler type, payload type and pattern.</param>
/// <param name="Instance">The instance its payload type travels on.</param>
/// <param name="Subscribe">Subscribes it to the started bus.</param>
internal sealed record HandlerRegistration(string Describe, GaterInstance Instance, Func<IServiceProvider, IGaterBus, SubscriptionOptions, CancellationToken, ValueTask<IGaterSubscription>> Subscribe)
{
    /// <summary>Set by the registration when it names its own queue settings.</summary>
    public SubscriptionOptions? Options { get; init; }
}
