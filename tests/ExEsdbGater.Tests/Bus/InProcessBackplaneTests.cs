using ExEsdbGater;
using ExEsdbGater.Testing;

namespace ExEsdbGater.Tests.Bus;

/// <summary>The backplane contract on the in-process hub: every connection of a test joins one hub.</summary>
public sealed class InProcessBackplaneContractTests : BackplaneContractTests
{
    private readonly InProcessHub _hub = new();

    protected override ValueTask<IGaterBackplane> ConnectAsync() => ValueTask.FromResult(_hub.Connect());
}

/// <summary>The bus over the in-process hub.</summary>
public sealed class InProcessBusContractTests : BusOverBackplaneContractTests
{
    private readonly InProcessHub _hub = new();

    protected override ValueTask<IGaterBackplane> ConnectAsync() => ValueTask.FromResult(_hub.Connect());
}
