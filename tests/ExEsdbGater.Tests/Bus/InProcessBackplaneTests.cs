using ExEsdbGater;

namespace ExEsdbGater.Tests.Bus;

public sealed class InProcessBackplaneTests : BackplaneContractTests
{
    private readonly InProcessHub _hub = new();

    protected override ValueTask<IGaterBackplane> ConnectAsync() => ValueTask.FromResult(_hub.Connect());
}
