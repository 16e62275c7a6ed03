using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ExEsdbGater.Frames;

/// <summary>
/// Checks incoming frames in the order of wire-format section 5 and returns the typed message or the reason.
/// Thread-safe; one instance per process shares one replay memory.
/// </summary>
public sealed partial class FrameVerifier
{
    private static readonly byte[] Magic = "exg1."u8.ToArray();
    private static readonly SearchValues<byte> SigAlphabet = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"u8);

    private readonly KeyRing _keys;
    private readonly VerifierOptions _options;
    private readonly ReplayCache _replay;
    private readonly long[] _rejected = new long[RejectReasons.All.Count];
    private readonly ILogger _logger;
    private StripedCounter _accepted;
    private long _captureSecond;
    private long _capturesThisSecond;

    /// <summary>Creates a verifier for a key ring.</summary>
    /// <exception cref="GaterConfigurationException">An option is out of range; the message names it.</exception>
    public FrameVerifier(KeyRing keys, VerifierOptions? options = null)
    {
        _keys = keys ?? throw new ArgumentNullException(nameof(keys));
        _options = options ?? new VerifierOptions();
        OptionsCheck.Verifier(_options);
        _replay = new ReplayCache(_options.ReplayCapacity);
        _logger = (_options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("ExEsdbGater.FrameVerifier");
    }

    /// <summary>Raised for every rejected frame, with its bytes (copied) for forensics.</summary>
    public event Action<FrameRejection>? Rejected;

    /// <summary>Raised when the replay memory is full and forgets an entry before it expired.</summary>
    public event Action<long>? ReplayEvicted;

    /// <summary>The key ring.</summary>
    public KeyRing Keys => _keys;

    /// <summary>The options.</summary>
    public VerifierOptions Options => _options;

    /// <summary>Frames accepted so far.</summary>
    public long AcceptedCount => _accepted.Total;

    /// <summary>Entries forgotten early because the replay memory was full.</summary>
    public long ReplayForcedEvictions => _replay.ForcedEvictions;

    // Forensic copies: capped in size, and in number per second, so a flood cannot turn rejections into memory.
    private byte[] Capture(ReadOnlySpan<byte> frame)
    {
        var second = _options.TimeProvider.GetUtcNow().ToUnixTimeSeconds();
        if (Interlocked.Exchange(ref _captureSecond, second) != second)
        {
            Interlocked.Exchange(ref _capturesThisSecond, 0);
        }
        if (Interlocked.Increment(ref _capturesThisSecond) > _options.RejectedFrameCapturesPerSecond)
        {
            return [];
        }
        return frame[..Math.Min(frame.Length, _options.RejectedFrameCaptureBytes)].ToArray();
    }

    /// <summary>Rejections so far by reason.</summary>
    public long RejectedCount(RejectReason reason) => Interlocked.Read(ref _rejected[(int)reason]);

    /// <summary>Rejections so far, all reasons.</summary>
    public long TotalRejected => _rejected.Sum();

    /// <summary>Verifies one frame that arrived on <paramref name="instance"/> / <paramref name="topic"/>.</summary>
    public VerifyResult Verify(ReadOnlySpan<byte> frame, GaterInstance instance, string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        return Counted(Check(frame, instance, topic, null, null, defer: false, out _), frame, instance, topic);
    }

    private VerifyResult Counted(VerifyResult result, ReadOnlySpan<byte> frame, GaterInstance instance, string topic)
    {
        if (result.IsOk)
        {
            _accepted.Increment();
        }
        else
        {
            var reason = result.Reason!.Value;
            Interlocked.Increment(ref _rejected[(int)reason]);
            LogRejected(_logger, reason.WireName(), instance.WireName(), topic, result.Detail);
            if (Rejected is { } observers)
            {
                observers(new FrameRejection(reason, result.Detail, instance, topic, Capture(frame), result.Envelope) { FrameLength = frame.Length });
            }
        }
        return result;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected frame on {Instance} {Topic}: {Reason} ({Detail})")]
    private static partial void LogRejected(ILogger logger, string reason, string instance, string topic, string? detail);

    // entryId set: a stream entry (FrameVerifier.Durable.cs), judged at its reference time with the entry replay memory
    // defer: stop before the replay memory and hand back what its step needs (FrameVerifier.Batches.cs)
    private VerifyResult Check(ReadOnlySpan<byte> frame, GaterInstance instance, string topic, long? referenceTime, string? entryId, bool defer, out DeferredReplay? deferred)
    {
        deferred = null;
        // 1
        if (frame.Length > FrameRules.MaxFrameBytes)
        {
            return new(RejectReason.TooLarge, $"{frame.Length} bytes");
        }
        // 2
        if (!frame.StartsWith(Magic))
        {
            return new(RejectReason.InvalidFormat, "does not start with exg1.");
        }
        var rest = frame[Magic.Length..];
        var d1 = rest.IndexOf((byte)'.');
        if (d1 < 0)
        {
            return new(RejectReason.InvalidFormat, "missing parts");
        }
        var kid = rest[..d1];
        rest = rest[(d1 + 1)..];
        var d2 = rest.IndexOf((byte)'.');
        if (d2 < 0)
        {
            return new(RejectReason.InvalidFormat, "missing parts");
        }
        var sig = rest[..d2];
        var body = rest[(d2 + 1)..];
        if (!FrameRules.IsValidKid(kid))
        {
            return new(RejectReason.InvalidFormat, "kid of the wrong form");
        }
        var unsigned = kid.SequenceEqual("unsigned"u8);
        if (unsigned ? sig.Length != 0 : sig.Length != FrameEncoder.SigChars || sig.ContainsAnyExcept(SigAlphabet))
        {
            return new(RejectReason.InvalidFormat, "signature of the wrong form");
        }
        if (unsigned)
        {
            // 3, 4
            if (_keys.HasKeys)
            {
                return new(RejectReason.UnsecuredMessageRejected, "unsigned frame");
            }
            if (!_keys.AllowUnsigned)
            {
                return new(RejectReason.NoSecretConfigured, "unsigned frame and no secret");
            }
        }
        else
        {
            // 5, 6, 7
            if (!_keys.HasKeys)
            {
                return new(RejectReason.NoSecretConfigured, "signed frame and no secret");
            }
            var key = _keys.Find(kid);
            if (key is null)
            {
                return new(RejectReason.UnknownKey, "kid " + Encoding.ASCII.GetString(kid));
            }
            if (!SignatureMatches(key, frame[..(Magic.Length + kid.Length + 1)], body, sig))
            {
                return new(RejectReason.InvalidSignature, "signature differs");
            }
        }
        // 8
        var err = BodyReader.Read(body, out var f);
        if (err is not null)
        {
            return new(RejectReason.InvalidFormat, err);
        }
        // 9
        if (f.Instance != instance || !TopicEquals(f.Topic.In(body), f.Topic.Escaped, topic))
        {
            return new(RejectReason.TopicMismatch, "signed for another instance or topic");
        }
        var typeInfo = instance == GaterInstance.Events ? null : FindType(instance, f.Type, body);
        var type = typeInfo?.Tag ?? StringOf(f.Type.In(body), f.Type.Escaped);
        var node = f.Node.Escaped ? BodyReader.Unescape(f.Node.In(body)) : NodeNameCache.Get(f.Node.In(body));
        var rawId = f.Id.In(body);
        var envelope = !f.Id.Escaped && CompactMessageId.TryParse(rawId, out var idMicros, out var idTail)
            ? new Envelope(f.Instance, topic, type, idMicros, idTail, node, f.Epoch, f.Seq, f.Ts)
            : new Envelope(f.Instance, topic, type, StringOf(rawId, f.Id.Escaped), node, f.Epoch, f.Seq, f.Ts);
        // 10, 11
        var now = referenceTime ?? _options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        var maxAge = (long)_options.MaxAge.TotalMilliseconds;
        if (f.Ts < now - maxAge)
        {
            return new(RejectReason.Expired, $"ts {f.Ts} older than {maxAge} ms", envelope);
        }
        if (f.Ts > now + (long)_options.MaxSkew.TotalMilliseconds)
        {
            return new(RejectReason.FromFuture, $"ts {f.Ts} ahead of now {now}", envelope);
        }
        // 12, judged after 13 and 14 have been worked out (and reported in step order): the look-up in a large
        // replay memory misses the caches, so its slot is fetched now and read once the payload is done (deferred,
        // it is read later on another thread: no fetch)
        var replayKey = entryId is null ? (f.Id.Escaped ? ReplayCache.KeyOf(node, envelope.Id) : ReplayCache.KeyOf(node, rawId)) : 0;
        if (entryId is null && !defer)
        {
            _replay.Prefetch(replayKey);
        }
        var payloadFault = ReadPayload(body, in f, instance, typeInfo, type, envelope, out var message);
        if (entryId is null && _options.ReplayStore is null)
        {
            // the usual case, no shared store: the replay memory's step, here or (deferred) by CompleteReplays later
            var step = new DeferredReplay(envelope, replayKey, f.Ts + maxAge, now, message, payloadFault);
            if (defer)
            {
                deferred = step;
                return default;
            }
            return ReplayStep(in step);
        }
        if (entryId is not null ? _entryReplay.SeenInAnotherEntry(envelope.Node, envelope.Id, entryId, now) : _replay.Contains(replayKey, now))
        {
            return Replayed(envelope);
        }
        if (payloadFault is { } fault)
        {
            return fault;
        }
        if (entryId is not null)
        {
            _entryReplay.Remember(envelope.Node, envelope.Id, entryId, f.Ts + maxAge, now);
            return new(envelope, message);
        }
        // 15 (implementation-local, only with VerifierOptions.ReplayStore): FrameVerifier.ReplayStore.cs
        if (CheckReplayStore(envelope, f.Ts, now) is { } fromStore)
        {
            return fromStore;
        }
        return ReplayStep(new DeferredReplay(envelope, replayKey, f.Ts + maxAge, now, message, null));
    }

    // Step 12 with the replay memory alone: a replay is reported before a fault of its payload; an accepted pair's
    // look-up and entry are one step, under one lock, so of two copies verified at once one wins.
    private VerifyResult ReplayStep(in DeferredReplay d)
    {
        var result = ReplayStepUnreported(in d, out var evictions);
        ReportEviction(evictions);
        return result;
    }

    // The step itself. A pair it pushed out early gives the memory's forced evictions just after it (else 0), for the
    // caller to report outside any lock it holds (ReportEviction).
    private VerifyResult ReplayStepUnreported(in DeferredReplay d, out long evictions)
    {
        evictions = 0;
        if (d.PayloadFault is { } fault)
        {
            return _replay.Contains(d.Key, d.Now) ? Replayed(d.Envelope) : fault;
        }
        if (!_replay.TryAdd(d.Key, d.ExpiresAt, d.Now, out var evicted))
        {
            return Replayed(d.Envelope);
        }
        if (evicted)
        {
            evictions = _replay.ForcedEvictions;
        }
        return new(d.Envelope, d.Message!);
    }

    private void ReportEviction(long evictions)
    {
        if (evictions != 0)
        {
            ReplayEvicted?.Invoke(evictions);
        }
    }

    private static VerifyResult Replayed(Envelope envelope) => new(RejectReason.Replayed, $"id {envelope.Id} of {envelope.Node} seen", envelope);

    // Steps 13 and 14: the typed message, or the rejection.
    private static VerifyResult? ReadPayload(ReadOnlySpan<byte> body, in BodyFields f, GaterInstance instance, MessageTypeInfo? typeInfo, string type, Envelope envelope, out GaterMessage message)
    {
        message = null!;
        var payload = body.Slice(f.PayloadStart, f.PayloadEnd - f.PayloadStart);
        if (f.NonFiniteNumber && (instance == GaterInstance.Events || typeInfo is not null))
        {
            return new(RejectReason.InvalidPayload, "a number does not fit a finite double", envelope);
        }
        if (instance == GaterInstance.Events)
        {
            // any object: BodyReader has checked its bytes, which the map keeps and parses only if asked
            message = new ApplicationEvent(type, JsonMap.OverUtf8(payload));
            return null;
        }
        if (typeInfo is null)
        {
            return new(RejectReason.UnknownType, $"type {type} is not in {instance.WireName()}", envelope);
        }
        // One pass of the type's generated reader: kinds, required members, exact enums, instants, node names;
        // from the members the scanner recorded at step 8 (this thread's buffer): the payload is not read again
        var read = f.PayloadMembers <= PayloadMember.MaxRecorded
            ? typeInfo.MemberReader(body, PayloadMember.ThreadBuffer.AsSpan(0, f.PayloadMembers), out var m, out var fault)
            : typeInfo.Reader(payload, out m, out fault);
        if (!read || m is null)
        {
            return new(RejectReason.InvalidPayload, fault.Detail, envelope);
        }
        message = m;
        return null;
    }

    private static bool SignatureMatches(GaterKey key, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> body, ReadOnlySpan<byte> sig)
    {
        Span<byte> mac = stackalloc byte[32];
        key.Mac(prefix, body, mac);
        Span<byte> expected = stackalloc byte[FrameEncoder.SigChars];
        Base64Url.EncodeToUtf8(mac, expected);
        return CryptographicOperations.FixedTimeEquals(expected, sig);
    }

    private static MessageTypeInfo? FindType(GaterInstance instance, RawString type, ReadOnlySpan<byte> body)
    {
        if (type.Escaped)
        {
            return MessageCatalog.Find(instance, StringOf(type.In(body), true).AsSpan());
        }
        // validated as [a-z][a-z0-9_]{0,63}: ASCII, so bytes widen to chars
        var raw = type.In(body);
        Span<char> chars = stackalloc char[raw.Length];
        for (var i = 0; i < raw.Length; i++)
        {
            chars[i] = (char)raw[i];
        }
        return MessageCatalog.Find(instance, chars);
    }

    private static bool TopicEquals(ReadOnlySpan<byte> raw, bool escaped, string topic)
    {
        if (escaped)
        {
            return StringOf(raw, true) == topic;
        }
        Span<byte> buf = stackalloc byte[256 * 3];
        return Encoding.UTF8.TryGetBytes(topic, buf, out var n) && buf[..n].SequenceEqual(raw);
    }

    private static string StringOf(ReadOnlySpan<byte> raw, bool escaped)
        => escaped ? BodyReader.Unescape(raw) : Encoding.UTF8.GetString(raw);
}
