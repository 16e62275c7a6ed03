namespace ExEsdbGater;

/// <summary>Receives frames from a backplane subscription. The frame memory stays valid after the call returns.</summary>
/// <param name="instance">The instance the frame arrived on.</param>
/// <param name="topic">The topic the frame arrived on.</param>
/// <param name="frame">The frame bytes.</param>
public delegate void BackplaneFrameHandler(GaterInstance instance, string topic, ReadOnlyMemory<byte> frame);

/// <summary>The connection state of a backplane.</summary>
public enum BackplaneState
{
    /// <summary>Connected and delivering.</summary>
    Connected,
    /// <summary>The connection is lost; frames published meanwhile are lost.</summary>
    Disconnected,
    /// <summary>Connected again; subscriptions have been restored.</summary>
    Reconnected,
}

/// <summary>A change of a backplane's connection state.</summary>
/// <param name="State">The new state.</param>
/// <param name="Detail">What happened, for logs.</param>
public readonly record struct BackplaneStateChange(BackplaneState State, string? Detail);

/// <summary>
/// Carries frame bytes between processes: publish on a channel (instance + topic), subscribe to topic patterns
/// (<c>*</c> matches any run of characters), and report connection changes. Implement it to add a transport.
/// </summary>
/// <remarks>
/// The contract, checked by <c>ExEsdbGater.Testing.BackplaneContractTests</c> (derive from it to test a transport):
/// the backplane matches patterns itself (<see cref="TopicPattern.Matches"/>), and the same topic on two instances is
/// two channels; every subscription whose pattern matches gets each frame once, including subscriptions of the
/// publishing connection; frames of any length, including none, arrive unchanged. Calls to one subscription's handler
/// never overlap. A handler that throws loses only that frame: it is called for later ones, and other subscriptions
/// are unaffected. Disposing the backplane ends its subscriptions (frames published after it returns reach none of its
/// handlers), may be repeated, and makes <see cref="PublishAsync"/> and <see cref="SubscribeAsync"/> throw <see cref="ObjectDisposedException"/>.
/// </remarks>
public interface IGaterBackplane : IAsyncDisposable
{
    /// <summary>A short name for logs, e.g. <c>in-process</c> or <c>redis</c>.</summary>
    string Name { get; }

    /// <summary>Raised when the connection is lost or restored; never, by a transport without a connection (in-process).</summary>
    event Action<BackplaneStateChange>? StateChanged;

    /// <summary>
    /// Publishes one frame on instance/topic. Frames published from one caller in sequence reach each subscription in
    /// that order. The backplane may keep <paramref name="frame"/> until it is delivered: do not change it afterwards.
    /// </summary>
    ValueTask PublishAsync(GaterInstance instance, string topic, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken = default);

    /// <summary>
    /// Subscribes to frames of an instance whose topic matches the pattern; dispose the result to unsubscribe: frames
    /// published after that do not reach the handler, and disposing again (also after the backplane) does nothing.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="topicPattern"/> is not <see cref="TopicPattern.IsValid"/>.</exception>
    ValueTask<IAsyncDisposable> SubscribeAsync(GaterInstance instance, string topicPattern, BackplaneFrameHandler handler, CancellationToken cancellationToken = default);
}

/// <summary>Topic patterns: <c>*</c> matches any run of characters (possibly empty); every other character is literal.</summary>
public static class TopicPattern
{
    /// <summary>True when <paramref name="topic"/> matches <paramref name="pattern"/>.</summary>
    public static bool Matches(string pattern, string topic)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(topic);
        if (!pattern.Contains('*', StringComparison.Ordinal))
        {
            return string.Equals(pattern, topic, StringComparison.Ordinal);
        }
        // Iterative glob match with single backtrack point: linear in practice, never exponential.
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < topic.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = t;
            }
            else if (p < pattern.Length && pattern[p] == topic[t])
            {
                p++;
                t++;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++mark;
            }
            else
            {
                return false;
            }
        }
        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }
        return p == pattern.Length;
    }

    /// <summary>True for a usable pattern: 1–255 UTF-8 bytes, no control characters.</summary>
    public static bool IsValid(string? pattern)
        => !string.IsNullOrEmpty(pattern) && FrameRules.IsValidTopic(pattern.Replace('*', 'x'));
}

/// <summary>
/// The in-process backplane: a hub that several buses in one process connect to, like a server. Each connection
/// receives on its own dispatch loop, as a network connection would, so publishers never run receivers' work.
/// </summary>
public sealed class InProcessHub
{
    private readonly Lock _lock = new();
    private Sub[] _subs = [];

    private sealed record Sub(Connection Owner, GaterInstance Instance, string Pattern, BackplaneFrameHandler Handler);

    /// <summary>Opens a connection to the hub.</summary>
    public IGaterBackplane Connect() => new Connection(this);

    private async ValueTask PublishAsync(GaterInstance instance, string topic, ReadOnlyMemory<byte> frame, CancellationToken ct)
    {
        foreach (var s in Volatile.Read(ref _subs))
        {
            if (s.Instance == instance && TopicPattern.Matches(s.Pattern, topic))
            {
                await s.Owner.EnqueueAsync(new Dispatch(s, instance, topic, frame), ct).ConfigureAwait(false);
            }
        }
    }

    private void Add(Sub s)
    {
        lock (_lock)
        {
            _subs = [.. _subs, s];
        }
    }

    private void Remove(Sub s)
    {
        lock (_lock)
        {
            _subs = _subs.Where(x => !ReferenceEquals(x, s)).ToArray();
        }
    }

    private void RemoveAll(Connection c)
    {
        lock (_lock)
        {
            _subs = _subs.Where(x => !ReferenceEquals(x.Owner, c)).ToArray();
        }
    }

    private readonly record struct Dispatch(Sub Sub, GaterInstance Instance, string Topic, ReadOnlyMemory<byte> Frame);

    private sealed class Connection : IGaterBackplane
    {
        private readonly InProcessHub _hub;
        private readonly System.Threading.Channels.Channel<Dispatch> _inbox =
            System.Threading.Channels.Channel.CreateBounded<Dispatch>(new System.Threading.Channels.BoundedChannelOptions(65_536) { SingleReader = true });
        private readonly Task _loop;
        private bool _disposed;

        public Connection(InProcessHub hub)
        {
            _hub = hub;
            _loop = Task.Run(DispatchAsync);
        }

        public string Name => "in-process";

        public event Action<BackplaneStateChange>? StateChanged
        {
            add { }
            remove { }
        }

        public ValueTask EnqueueAsync(Dispatch d, CancellationToken ct)
            => _inbox.Writer.TryWrite(d) ? ValueTask.CompletedTask : WriteSlowAsync(d, ct);

        private async ValueTask WriteSlowAsync(Dispatch d, CancellationToken ct)
        {
            try
            {
                await _inbox.Writer.WriteAsync(d, ct).ConfigureAwait(false);
            }
            catch (System.Threading.Channels.ChannelClosedException)
            {
                // the receiving connection closed: like a network peer that went away
            }
        }

        private async Task DispatchAsync()
        {
            var reader = _inbox.Reader;
            while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                while (reader.TryRead(out var d))
                {
                    try
                    {
                        d.Sub.Handler(d.Instance, d.Topic, d.Frame);
                    }
#pragma warning disable CA1031 // one receiver's failure must not stop this connection's dispatch
                    catch (Exception)
#pragma warning restore CA1031
                    {
                    }
                }
            }
        }

        public ValueTask PublishAsync(GaterInstance instance, string topic, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken = default)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _hub.PublishAsync(instance, topic, frame, cancellationToken);
        }

        public ValueTask<IAsyncDisposable> SubscribeAsync(GaterInstance instance, string topicPattern, BackplaneFrameHandler handler, CancellationToken cancellationToken = default)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ArgumentNullException.ThrowIfNull(handler);
            if (!TopicPattern.IsValid(topicPattern))
            {
                throw new ArgumentException($"'{topicPattern}' is not a valid topic pattern.", nameof(topicPattern));
            }
            var sub = new Sub(this, instance, topicPattern, handler);
            _hub.Add(sub);
            return ValueTask.FromResult<IAsyncDisposable>(new Unsubscriber(() => _hub.Remove(sub)));
        }

        public async ValueTask DisposeAsync()
        {
            _disposed = true;
            _hub.RemoveAll(this);
            _inbox.Writer.TryComplete();
            await _loop.ConfigureAwait(false);
        }
    }

    private sealed class Unsubscriber(Action action) : IAsyncDisposable
    {
        private Action? _action = action;

        public ValueTask DisposeAsync()
        {
            Interlocked.Exchange(ref _action, null)?.Invoke();
            return ValueTask.CompletedTask;
        }
    }
}
