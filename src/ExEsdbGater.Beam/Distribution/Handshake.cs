using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ExEsdbGater.Beam.Distribution;

/// <summary>
/// The distribution handshake, version 6 (erl_dist_protocol "Distribution Handshake"), both directions. Every
/// message is bounded (<see cref="MaxMessageBytes"/>); the caller bounds the time with the token.
/// </summary>
internal static class Handshake
{
    /// <summary>The largest handshake message accepted: a 255-character name plus 17 bytes of header, with margin.</summary>
    public const int MaxMessageBytes = 1024;

    /// <summary>We initiate: send_name, recv_status, recv_challenge, send_challenge_reply, recv_challenge_ack.</summary>
    public static async Task<HandshakeResult> ConnectAsync(Stream s, string ourName, uint ourCreation, string cookie, string expectedPeer, CancellationToken ct)
    {
        var name = Encoding.UTF8.GetBytes(ourName);
        var msg = new byte[15 + name.Length];
        msg[0] = (byte)'N';
        BinaryPrimitives.WriteUInt64BigEndian(msg.AsSpan(1), DistributionFlags.Ours);
        BinaryPrimitives.WriteUInt32BigEndian(msg.AsSpan(9), ourCreation);
        BinaryPrimitives.WriteUInt16BigEndian(msg.AsSpan(13), (ushort)name.Length);
        name.CopyTo(msg, 15);
        await WriteAsync(s, msg, ct).ConfigureAwait(false);

        var status = await ReadAsync(s, expectedPeer, ct).ConfigureAwait(false);
        if (status.Length < 1 || status[0] != 's')
        {
            throw Violation(expectedPeer, "expected a status ('s') message");
        }
        var text = Encoding.ASCII.GetString(status, 1, status.Length - 1);
        switch (text)
        {
            case "ok" or "ok_simultaneous":
                break;
            case "alive":
                // We only connect when we have no connection to the peer, so the one it still knows is stale.
                await WriteAsync(s, "strue"u8.ToArray(), ct).ConfigureAwait(false);
                break;
            case "nok" or "not_allowed":
                throw new DistributionException(DistributionError.HandshakeRefused, $"{expectedPeer} refused the handshake (status '{text}')");
            default:
                throw Violation(expectedPeer, $"unknown handshake status '{Printable(text)}'");
        }

        var ch = await ReadAsync(s, expectedPeer, ct).ConfigureAwait(false);
        if (ch.Length < 19 || ch[0] != 'N')
        {
            throw Violation(expectedPeer, "expected a version 6 challenge ('N')");
        }
        var flags = BinaryPrimitives.ReadUInt64BigEndian(ch.AsSpan(1));
        var challenge = BinaryPrimitives.ReadUInt32BigEndian(ch.AsSpan(9));
        var creation = BinaryPrimitives.ReadUInt32BigEndian(ch.AsSpan(13));
        int nlen = BinaryPrimitives.ReadUInt16BigEndian(ch.AsSpan(17));
        if (ch.Length != 19 + nlen)
        {
            throw Violation(expectedPeer, "challenge name length does not match the message");
        }
        var peerName = Encoding.UTF8.GetString(ch, 19, nlen);
        CheckFlags(expectedPeer, flags);
        if (!string.Equals(peerName, expectedPeer, StringComparison.Ordinal))
        {
            throw Violation(expectedPeer, $"the peer calls itself '{Printable(peerName)}'");
        }

        var ourChallenge = NewChallenge();
        var reply = new byte[21];
        reply[0] = (byte)'r';
        BinaryPrimitives.WriteUInt32BigEndian(reply.AsSpan(1), ourChallenge);
        Digest(challenge, cookie).CopyTo(reply, 5);
        await WriteAsync(s, reply, ct).ConfigureAwait(false);

        byte[] ack;
        try
        {
            ack = await ReadAsync(s, expectedPeer, ct).ConfigureAwait(false);
        }
        catch (DistributionException e) when (e.Error == DistributionError.PeerUnreachable)
        {
            // A peer closes without an ack when our digest is wrong.
            throw new DistributionException(DistributionError.WrongCookie, $"{expectedPeer} closed the connection after our challenge reply: the cookies differ", e);
        }
        if (ack.Length != 17 || ack[0] != 'a')
        {
            throw Violation(expectedPeer, "expected a challenge ack ('a')");
        }
        if (!CryptographicOperations.FixedTimeEquals(ack.AsSpan(1), Digest(ourChallenge, cookie)))
        {
            throw new DistributionException(DistributionError.WrongCookie, $"{expectedPeer} answered our challenge with a wrong digest: the cookies differ");
        }
        return new HandshakeResult(peerName, flags, creation, false);
    }

    /// <summary>
    /// The peer initiates. <paramref name="decide"/> gets the peer's name and returns the status to send: "ok",
    /// "ok_simultaneous", "nok", "not_allowed" or "alive".
    /// </summary>
    public static async Task<HandshakeResult> AcceptAsync(Stream s, string ourName, uint ourCreation, string cookie, Func<string, string> decide, CancellationToken ct)
    {
        const string who = "an incoming peer";
        var sn = await ReadAsync(s, who, ct).ConfigureAwait(false);
        string peerName;
        ulong flags;
        uint creation = 0;
        var needComplement = false;
        if (sn.Length >= 15 && sn[0] == 'N')
        {
            flags = BinaryPrimitives.ReadUInt64BigEndian(sn.AsSpan(1));
            creation = BinaryPrimitives.ReadUInt32BigEndian(sn.AsSpan(9));
            int nlen = BinaryPrimitives.ReadUInt16BigEndian(sn.AsSpan(13));
            if (sn.Length != 15 + nlen)
            {
                throw Violation(who, "send_name length does not match its name");
            }
            peerName = Encoding.UTF8.GetString(sn, 15, nlen);
        }
        else if (sn.Length >= 7 && sn[0] == 'n')
        {
            // Version 5 send_name from a version 6 node that did not know our version: the complement follows.
            flags = BinaryPrimitives.ReadUInt32BigEndian(sn.AsSpan(3));
            peerName = Encoding.UTF8.GetString(sn, 7, sn.Length - 7);
            needComplement = true;
            if ((flags & DistributionFlags.Handshake23) == 0)
            {
                throw Violation(who, "peer does not support handshake version 6 (OTP 23+)");
            }
        }
        else
        {
            throw Violation(who, "expected send_name ('N')");
        }
        var at = peerName.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at == peerName.Length - 1)
        {
            throw Violation(who, $"bad node name '{Printable(peerName)}'");
        }
        if (!needComplement)
        {
            CheckFlags(peerName, flags);
        }

        var status = decide(peerName);
        await WriteAsync(s, Encoding.ASCII.GetBytes("s" + status), ct).ConfigureAwait(false);
        var replaces = false;
        if (status == "alive")
        {
            var answer = await ReadAsync(s, peerName, ct).ConfigureAwait(false);
            if (answer.AsSpan().SequenceEqual("strue"u8))
            {
                replaces = true;
            }
            else
            {
                throw new DistributionException(DistributionError.HandshakeRefused, $"{peerName} withdrew: it is already connected to us");
            }
        }
        else if (status != "ok" && status != "ok_simultaneous")
        {
            throw new DistributionException(DistributionError.HandshakeRefused, $"refused {peerName} (status '{status}')");
        }

        var name = Encoding.UTF8.GetBytes(ourName);
        var ourChallenge = NewChallenge();
        var ch = new byte[19 + name.Length];
        ch[0] = (byte)'N';
        BinaryPrimitives.WriteUInt64BigEndian(ch.AsSpan(1), DistributionFlags.Ours);
        BinaryPrimitives.WriteUInt32BigEndian(ch.AsSpan(9), ourChallenge);
        BinaryPrimitives.WriteUInt32BigEndian(ch.AsSpan(13), ourCreation);
        BinaryPrimitives.WriteUInt16BigEndian(ch.AsSpan(17), (ushort)name.Length);
        name.CopyTo(ch, 19);
        await WriteAsync(s, ch, ct).ConfigureAwait(false);

        var reply = await ReadAsync(s, peerName, ct).ConfigureAwait(false);
        if (needComplement)
        {
            if (reply.Length != 9 || reply[0] != 'c')
            {
                throw Violation(peerName, "expected send_complement ('c')");
            }
            flags |= (ulong)BinaryPrimitives.ReadUInt32BigEndian(reply.AsSpan(1)) << 32;
            creation = BinaryPrimitives.ReadUInt32BigEndian(reply.AsSpan(5));
            CheckFlags(peerName, flags);
            reply = await ReadAsync(s, peerName, ct).ConfigureAwait(false);
        }
        if (reply.Length != 21 || reply[0] != 'r')
        {
            throw Violation(peerName, "expected a challenge reply ('r')");
        }
        var peerChallenge = BinaryPrimitives.ReadUInt32BigEndian(reply.AsSpan(1));
        if (!CryptographicOperations.FixedTimeEquals(reply.AsSpan(5), Digest(ourChallenge, cookie)))
        {
            throw new DistributionException(DistributionError.WrongCookie, $"{peerName} answered our challenge with a wrong digest: the cookies differ");
        }
        var ack = new byte[17];
        ack[0] = (byte)'a';
        Digest(peerChallenge, cookie).CopyTo(ack, 1);
        await WriteAsync(s, ack, ct).ConfigureAwait(false);
        return new HandshakeResult(peerName, flags, creation, replaces);
    }

    /// <summary>MD5(cookie ++ decimal challenge), as erts' gen_digest.</summary>
    public static byte[] Digest(uint challenge, string cookie)
        => MD5.HashData(Encoding.UTF8.GetBytes(cookie + challenge.ToString(CultureInfo.InvariantCulture)));

    private static uint NewChallenge()
    {
        Span<byte> b = stackalloc byte[4];
        RandomNumberGenerator.Fill(b);
        return BinaryPrimitives.ReadUInt32BigEndian(b);
    }

    private static void CheckFlags(string peer, ulong flags)
    {
        var missing = DistributionFlags.Mandatory & ~flags;
        if (missing != 0)
        {
            throw Violation(peer, $"the peer lacks mandatory distribution flags 0x{missing:x}");
        }
    }

    private static async Task WriteAsync(Stream s, byte[] msg, CancellationToken ct)
    {
        var buf = new byte[2 + msg.Length];
        BinaryPrimitives.WriteUInt16BigEndian(buf, (ushort)msg.Length);
        msg.CopyTo(buf, 2);
        await s.WriteAsync(buf, ct).ConfigureAwait(false);
        await s.FlushAsync(ct).ConfigureAwait(false);
    }

    private static async Task<byte[]> ReadAsync(Stream s, string peer, CancellationToken ct)
    {
        var head = new byte[2];
        try
        {
            await s.ReadExactlyAsync(head, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException)
        {
            throw new DistributionException(DistributionError.PeerUnreachable, $"{peer} closed the connection during the handshake", e);
        }
        int len = BinaryPrimitives.ReadUInt16BigEndian(head);
        if (len == 0 || len > MaxMessageBytes)
        {
            throw Violation(peer, $"handshake message of {len} bytes (limit {MaxMessageBytes})");
        }
        var msg = new byte[len];
        try
        {
            await s.ReadExactlyAsync(msg, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException)
        {
            throw new DistributionException(DistributionError.PeerUnreachable, $"{peer} closed the connection during the handshake", e);
        }
        return msg;
    }

    private static DistributionException Violation(string peer, string what)
        => new(DistributionError.ProtocolViolation, $"handshake with {peer} failed: {what}");

    private static string Printable(string s)
    {
        var t = new string(s.Take(64).Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return s.Length > 64 ? t + "…" : t;
    }
}
