namespace ExEsdbGater.Frames;

/// <summary>Orders the replay memory's step among frames verified at once (<see cref="FrameVerifier.VerifyInOrder"/>).</summary>
internal interface IReplayOrder
{
    /// <summary>Returns once every earlier frame of the batch is done with the replay memory.</summary>
    void WaitForTurn(int index);
}
