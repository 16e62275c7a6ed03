namespace ExEsdbGater.Frames;

/// <summary>
/// A replay memory shared beyond one process's lifetime (for example in Redis), set through
/// <see cref="VerifierOptions.ReplayStore"/>. The verifier's in-memory replay memory stays the first, fast check; the
/// store is asked only about frames that passed every other check, so forged or malformed frames never reach it.
/// </summary>
/// <remarks>
/// <para>The contract: remember (node, id) until the window given has passed, and say whether it was already
/// there. Check and insert must be one atomic step, so that of two concurrent calls with
/// the same pair exactly one returns <see langword="true"/>.</para>
/// <para>The call is synchronous and sits on the receive path: it should answer within a bounded time. When the
/// store cannot answer, it throws (any exception); the verifier then applies
/// <see cref="VerifierOptions.ReplayStoreFailure"/> and counts the failure in
/// <see cref="FrameVerifier.ReplayStoreFailures"/>.</para>
/// </remarks>
public interface IReplayStore
{
    /// <summary>Remembers the pair until <paramref name="window"/> has passed.</summary>
    /// <param name="node">The sending node (a valid node name: <c>name@host</c>, no <c>:</c>).</param>
    /// <param name="id">The message id (1–128 printable ASCII characters).</param>
    /// <param name="window">How long the frame could still be accepted by any receiver: its <c>ts</c> plus the max
    /// age plus the max skew, minus now; at least one millisecond.</param>
    /// <returns><see langword="true"/> if the pair was not there (it is now); <see langword="false"/> if it was
    /// already there and unexpired: the frame is a replay.</returns>
    bool TryRemember(string node, string id, TimeSpan window);
}
