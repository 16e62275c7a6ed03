using ExEsdbGater.Beam.Distribution;
using ExEsdbGater.Beam.Mapping;
using ExEsdbGater.Beam.Terms;
using ExEsdbGater.Frames;
using ExEsdbGater.Messages;
using Microsoft.Extensions.Logging;
using Tuple = ExEsdbGater.Beam.Terms.Tuple;

namespace ExEsdbGater.Beam;

// Sending: as Phoenix.PubSub.PG2.broadcast/4 does, {:forward_to_local, topic, message, Phoenix.PubSub} to every
// member of the instance's group on another node, the message signed the original's way for OTP ≤ 25 receivers.
public sealed partial class BeamLink
{
    /// <inheritdoc />
    public async ValueTask SendAsync(Envelope envelope, GaterMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(message);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (MessageCatalog.Find(message.GetType()) is null)
        {
            // application events have no struct in the original: nothing on BEAM could read them
            LogNotSent(_logger, message.GetType().Name);
            return;
        }
        var members = _scope.RemoteMembers(GroupOf(envelope.Instance));
        if (members.Count == 0)
        {
            return;
        }
        var signed = _signer.Wrap(BeamMapping.ToTerm(message));
        var forward = new Tuple(ForwardToLocal, Binary.Utf8(envelope.Topic), signed, PhoenixPubSub);
        foreach (var pid in members)
        {
            try
            {
                // noconnect, as PG2 sends: a member whose node is down is counted, never waited for (the bus holds the
                // topic's gate meanwhile)
                if (await _sender.TrySendAsync(pid, forward, cancellationToken).ConfigureAwait(false))
                {
                    Interlocked.Increment(ref _sent);
                }
                else
                {
                    Interlocked.Increment(ref _sendFailures);
                }
            }
            catch (DistributionException e)
            {
                Interlocked.Increment(ref _sendFailures);
                LogSendFailed(_logger, pid.ToString(), e.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "beam: {Type} is not sent to BEAM nodes (the original has no such struct)")]
    private static partial void LogNotSent(ILogger logger, string type);

    [LoggerMessage(Level = LogLevel.Warning, Message = "beam: could not send to {Pid}: {Reason}")]
    private static partial void LogSendFailed(ILogger logger, string pid, string reason);
}
