using System.Collections.Concurrent;
using System.Text;
using ExEsdbGater.Backplanes;
using ExEsdbGater.Beam.Distribution;
using ExEsdbGater.Beam.Mapping;
using ExEsdbGater.Beam.Terms;
using ExEsdbGater.Frames;
using ExEsdbGater.Messages;
using Microsoft.Extensions.Logging;
using Tuple = ExEsdbGater.Beam.Terms.Tuple;

namespace ExEsdbGater.Beam;

// Receiving: one PG2 worker per subscribed instance, as Phoenix.PubSub.PG2Worker: registered under the adapter name,
// a member of its group; each {:forward_to_local, topic, message, dispatcher} is checked, mapped and handed over.
public sealed partial class BeamLink
{
    private readonly ConcurrentDictionary<GaterInstance, Worker> _workers = new();
    private readonly SemaphoreSlim _subscribeGate = new(1, 1);

    /// <inheritdoc />
    public async ValueTask<IAsyncDisposable> SubscribeAsync(GaterInstance instance, IGaterLinkSink sink, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await _subscribeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_workers.ContainsKey(instance))
            {
                throw new InvalidOperationException($"{instance.WireName()} is already subscribed on this link; one bus per link.");
            }
            var group = GroupOf(instance);
            // checked where it arrives, on the connection's reading thread, as a backplane's frames are: no queue
            // between the socket and the bus, and a node sending faster than we check is slowed down by TCP
            var box = _node.CreateMailbox(group.Name, m => Handle(instance, sink, m));
            var worker = new Worker(this, instance, group, box);
            _workers[instance] = worker;
            try
            {
                await _scope.JoinAsync(group, box.Self, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                // not joined: nothing of it may stay registered, or the instance could never be subscribed again
                await worker.DisposeAsync().ConfigureAwait(false);
                throw;
            }
            return worker;
        }
        finally
        {
            _subscribeGate.Release();
        }
    }

    private void Handle(GaterInstance instance, IGaterLinkSink sink, MailboxMessage m)
    {
        // monitor and link ends of peers (as trap_exit delivers them) are not messages of the instance
        if (m.Message is Tuple t0 && (t0.IsTagged("DOWN", 5) || t0.IsTagged("EXIT", 3)))
        {
            return;
        }
        Interlocked.Increment(ref _received);
        var from = m.Sender?.Node.Name;
        if (m.Message is not Tuple { Arity: 4 } t || !t.IsTagged("forward_to_local", 4))
        {
            Reject(sink, instance, "", RejectReason.InvalidFormat, "not {:forward_to_local, topic, message, dispatcher}" + FromText(from), m.Message);
            return;
        }
        if (t[1] is not Binary topicBinary || !topicBinary.TryGetString(out var topic) || !TopicPattern.IsValid(topic) || topic.Contains('*', StringComparison.Ordinal))
        {
            Reject(sink, instance, "", RejectReason.InvalidFormat, "the topic is not a valid UTF-8 binary topic" + FromText(from), m.Message);
            return;
        }
        var verification = _signer.Verify(t[2]);
        if (!verification.IsValid)
        {
            Reject(sink, instance, topic, verification.Reason!.Value, verification.Detail + FromText(from), t[2]);
            return;
        }
        var mapped = BeamMapping.FromTerm(verification.Message!, instance, from ?? "unknown@unknown", keepOrigin: false);
        if (!mapped.IsOk)
        {
            Reject(sink, instance, topic, mapped.Error!.Value, mapped.Detail + FromText(from), t[2]);
            return;
        }
        var message = mapped.Message!;
        // the node that sent: the message's own node field when it has one (the original's factories fill it)
        var node = mapped.Node is { Length: > 0 } n ? n : from ?? "unknown@unknown";
        var envelope = new Envelope(instance, topic, message.Tag, NextId(), node, 0, 0, NowMs(),
            BeamDefaults.Name,
            verification.Profile switch
            {
                Signing.SignatureProfile.Otp25 => "otp25",
                Signing.SignatureProfile.Otp26 => "otp26",
                _ => "unsigned",
            },
            mapped.NodeFilled);
        Interlocked.Increment(ref _accepted);
        sink.Accept(envelope, message);
    }

    private long _ids;

    private string NextId() => "beam_" + _node.Creation.ToString(System.Globalization.CultureInfo.InvariantCulture) + "_" + Interlocked.Increment(ref _ids).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string FromText(string? from) => from is null ? "" : " (from " + from + ")";

    private void Reject(IGaterLinkSink sink, GaterInstance instance, string topic, RejectReason reason, string detail, Term term)
    {
        Interlocked.Increment(ref _rejected);
        byte[] bytes;
        try
        {
            bytes = EtfWriter.ToBinary(term);
        }
        catch (ArgumentException)
        {
            bytes = Encoding.UTF8.GetBytes(term.ToString());
        }
        var captured = bytes.AsMemory(0, Math.Min(bytes.Length, BeamDefaults.RejectedTermCaptureBytes));
        LogRejected(_logger, reason.WireName(), instance.WireName(), topic, detail);
        sink.Reject(new FrameRejection(reason, detail, instance, topic, captured, null) { FrameLength = bytes.Length });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "beam: refused a message on {Instance} {Topic}: {Reason} ({Detail})")]
    private static partial void LogRejected(ILogger logger, string reason, string instance, string topic, string detail);

    /// <summary>One instance's PG2 worker: its mailbox and group membership.</summary>
    private sealed class Worker : IAsyncDisposable
    {
        private readonly BeamLink _link;
        private readonly GaterInstance _instance;
        private readonly Atom _group;
        private readonly Mailbox _box;
        private int _disposed;

        public Worker(BeamLink link, GaterInstance instance, Atom group, Mailbox box)
        {
            _link = link;
            _instance = instance;
            _group = group;
            _box = box;
        }

        public Pid Self => _box.Self;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }
            try
            {
                await _link._scope.LeaveAsync(_group, _box.Self, CancellationToken.None).ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                // the node is already closing: every peer forgets us anyway
            }
            await _box.DisposeAsync().ConfigureAwait(false);
            // last: until the name is unregistered, a new subscription of the instance must not try to take it
            _link._workers.TryRemove(new KeyValuePair<GaterInstance, Worker>(_instance, this));
        }
    }
}
