using System.Buffers.Binary;
using System.Net.Sockets;
using ExEsdbGater.Beam.Distribution;
using Tuple = ExEsdbGater.Beam.Terms.Tuple;

namespace ExEsdbGater.Beam.Tests.Distribution;

/// <summary>The .NET node against a real erl node (OTP 25): ping, messages, monitors, links, errors, hostile peers.</summary>
public sealed class ErlangNodeTests : IClassFixture<ErlangNodeFixture>
{
    private readonly ErlangNodeFixture _f;
    private string _lastFakeName = "";

    public ErlangNodeTests(ErlangNodeFixture fixture)
    {
        _f = fixture;
    }

    private ErlNode Erl => _f.Erl;

    private ErlangNode Node => _f.Node;

    private static async Task<MailboxMessage> NextAsync(Mailbox box, int seconds = 20)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        return await box.Reader.ReadAsync(cts.Token);
    }

    [Fact]
    public async Task Erl_pings_us_and_gets_pong()
    {
        Assert.Equal("pong", await Erl.EvalAsync($"net_adm:ping('{Node.Name}')"));
        Assert.Contains(Erl.Name, Node.ConnectedPeers);
    }

    [Fact]
    public async Task Elixir_Node_ping_answers_pong()
    {
        var psi = new System.Diagnostics.ProcessStartInfo("elixir") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--sname", ErlNode.UniqueName("ex"), "--cookie", ErlangNodeFixture.Cookie, "-e", $"IO.puts(Node.ping(:\"{Node.Name}\"))" })
        {
            psi.ArgumentList.Add(a);
        }
        using var p = System.Diagnostics.Process.Start(psi)!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            var output = await p.StandardOutput.ReadToEndAsync(cts.Token);
            await p.WaitForExitAsync(cts.Token);
            Assert.Equal("pong", output.Trim());
        }
        finally
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task Is_auth_call_with_an_alias_tag_is_answered_with_the_same_tag()
    {
        using var fake = await FakePeerAsync();
        var s = fake.GetStream();
        var fakeNode = Atom.Of(_lastFakeName);
        var from = new Pid(fakeNode, 1, 0, 1);
        var tag = new ExEsdbGater.Beam.Terms.List([Atom.Of("alias"), new Reference(fakeNode, 1, [7u, 8u, 9u])]);
        var call = new Tuple(Atom.Of("$gen_call"), new Tuple(from, tag), new Tuple(Atom.Of("is_auth"), fakeNode));
        await s.WriteAsync(DistFrame.Encode(new Tuple(new Integer(ControlTag.RegSend), from, Atom.Of(""), Atom.Of("net_kernel")), call));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var head = new byte[4];
        uint len;
        do
        {
            await s.ReadExactlyAsync(head, cts.Token);
            len = BinaryPrimitives.ReadUInt32BigEndian(head);
        }
        while (len == 0); // ticks
        var frame = new byte[len];
        await s.ReadExactlyAsync(frame, cts.Token);
        var (control, payload) = DistFrame.Decode(frame, TermLimits.Default);
        Assert.Equal(from, control[2]);
        Assert.Equal(new Tuple(tag, Atom.Of("yes")), payload);
    }

    [Fact]
    public async Task We_connect_to_erl_and_it_sees_us_as_hidden()
    {
        var mark = _f.Events.Count;
        await Node.ConnectAsync(Erl.Name);
        Assert.Contains(Erl.Name, Node.ConnectedPeers);
        Assert.Equal("true", await Erl.EvalAsync($"lists:member('{Node.Name}', nodes(hidden))"));
        if (_f.Events.Snapshot().Skip(mark).Any())
        {
            await _f.Events.WaitAsync(e => e.Peer == Erl.Name && e.State == PeerState.Connected, mark);
        }
    }

    [Fact]
    public async Task We_send_to_a_registered_erl_process()
    {
        await using var box = Node.CreateMailbox();
        await box.SendAsync("ctl", Erl.Name, new Tuple(Atom.Of("greet"), new Integer(3), Binary.Utf8("héllo")));
        Assert.Equal("{3,<<104,195,169,108,108,111>>}", await Erl.EvalAsync("receive {greet, N3, S3} -> {N3, S3} after 10000 -> timeout end"));
    }

    [Fact]
    public async Task Erl_sends_to_our_registered_mailbox_and_to_our_pid()
    {
        await using var box = Node.CreateMailbox("inbox4");
        await Erl.EvalAsync($"{{inbox4, '{Node.Name}'}} ! {{hello, self(), #{{a => [1, 2.5]}}}}");
        var m = await NextAsync(box);
        var t = Assert.IsType<Tuple>(m.Message);
        Assert.Equal(Atom.Of("hello"), t[0]);
        var erlPid = Assert.IsType<Pid>(t[1]);
        Assert.Equal(erlPid, m.Sender);
        Assert.Equal(Erl.Name, erlPid.Node.Name);

        await box.SendAsync(erlPid, new Tuple(Atom.Of("mypid"), box.Self));
        Assert.Equal("ok", await Erl.EvalAsync("receive {mypid, P4} -> P4 ! {back, 42}, ok after 10000 -> timeout end"));
        var back = await NextAsync(box);
        Assert.Equal(new Tuple(Atom.Of("back"), new Integer(42)), back.Message);
    }

    [Fact]
    public async Task Wrong_cookie_on_our_connect_is_one_clear_error()
    {
        await using var wrong = await ErlangNodeFixture.StartNodeAsync(cookie: "not_the_cookie");
        var events = new PeerEvents(wrong);
        var e = await Assert.ThrowsAsync<DistributionException>(() => wrong.ConnectAsync(Erl.Name));
        Assert.Equal(DistributionError.WrongCookie, e.Error);
        Assert.Contains(Erl.Name, e.Message, StringComparison.Ordinal);
        var ev = await events.WaitAsync(x => x.State == PeerState.ConnectFailed);
        Assert.Equal(DistributionError.WrongCookie, ev.Error);
    }

    [Fact]
    public async Task Wrong_cookie_on_erls_connect_is_refused_and_reported()
    {
        await using var node = await ErlangNodeFixture.StartNodeAsync();
        var events = new PeerEvents(node);
        Assert.Equal("pang", await Erl.EvalAsync($"erlang:set_cookie('{node.Name}', wrong_cookie), net_adm:ping('{node.Name}')"));
        var ev = await events.WaitAsync(x => x.State == PeerState.ConnectFailed && x.Peer == Erl.Name);
        Assert.Equal(DistributionError.WrongCookie, ev.Error);
        Assert.Empty(node.ConnectedPeers);
    }

    [Fact]
    public async Task Unregistered_node_and_unreachable_epmd_are_clear_errors()
    {
        var e = await Assert.ThrowsAsync<DistributionException>(() => Node.ConnectAsync(ErlNode.UniqueName("nosuch")));
        Assert.Equal(DistributionError.NodeNotRegistered, e.Error);

        var closedPort = FreePort();
        var e2 = await Assert.ThrowsAsync<DistributionException>(() => ErlangNode.StartAsync(new ErlangNodeOptions
        {
            NodeName = ErlNode.UniqueName("noepmd"),
            Cookie = "c",
            ListenAddress = System.Net.IPAddress.Loopback,
            EpmdPort = closedPort,
        }));
        Assert.Equal(DistributionError.EpmdUnreachable, e2.Error);

        var e3 = await Assert.ThrowsAsync<DistributionException>(() => EpmdClient.PortPleaseAsync("127.0.0.1", closedPort, "x", TimeSpan.FromSeconds(5), default));
        Assert.Equal(DistributionError.EpmdUnreachable, e3.Error);
    }

    [Fact]
    public async Task A_taken_name_and_a_silent_peer_are_clear_errors()
    {
        var alive = Node.Name[..Node.Name.IndexOf('@', StringComparison.Ordinal)];
        var e = await Assert.ThrowsAsync<DistributionException>(() => ErlangNodeFixture.StartNodeAsync(tweak: o => o with { NodeName = alive }));
        Assert.Equal(DistributionError.RegistrationRefused, e.Error);

        // A "node" registered with EPMD whose port accepts and then says nothing.
        using var silent = new TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var silentAlive = ErlNode.UniqueName("silent");
        var (registration, _) = await EpmdClient.RegisterAsync("127.0.0.1", EpmdClient.DefaultPort, silentAlive, ((System.Net.IPEndPoint)silent.LocalEndpoint).Port, TimeSpan.FromSeconds(5), default);
        using (registration)
        {
            await using var node = await ErlangNodeFixture.StartNodeAsync(tweak: o => o with { ConnectTimeout = TimeSpan.FromSeconds(1) });
            var e2 = await Assert.ThrowsAsync<DistributionException>(() => node.ConnectAsync(silentAlive));
            Assert.Equal(DistributionError.Timeout, e2.Error);
        }
    }

    [Fact]
    public async Task Erl_monitor_of_our_mailbox_gets_down_when_it_closes()
    {
        var box = Node.CreateMailbox();
        await box.SendAsync("ctl", Erl.Name, new Tuple(Atom.Of("watch"), box.Self));
        Assert.Equal("ok", await Erl.EvalAsync("receive {watch, P8} -> Ref8 = erlang:monitor(process, P8), P8 ! monitored, ok after 10000 -> timeout end"));
        // The message came after MONITOR_P on the same connection, so the monitor is in place.
        Assert.Equal(Atom.Of("monitored"), (await NextAsync(box)).Message);
        await box.DisposeAsync();
        Assert.Equal("normal", await Erl.EvalAsync("receive {'DOWN', Ref8, process, _, Why8} -> Why8 after 10000 -> timeout end"));
    }

    [Fact]
    public async Task Our_monitor_of_an_erl_process_gets_down_with_its_reason()
    {
        await using var box = Node.CreateMailbox("inbox9");
        await Erl.EvalAsync($"P9 = spawn(fun() -> receive stop -> exit(bye) end end), {{inbox9, '{Node.Name}'}} ! {{victim, P9}}");
        var victim = Assert.IsType<Pid>(Assert.IsType<Tuple>((await NextAsync(box)).Message)[1]);
        var r = await box.MonitorAsync(victim);
        await box.SendAsync(victim, Atom.Of("stop"));
        var down = Assert.IsType<Tuple>((await NextAsync(box)).Message);
        Assert.Equal(Mailbox.Down(r, victim, Atom.Of("bye")), down);
    }

    [Fact]
    public async Task Erl_link_unlink_and_exit_reach_our_mailbox()
    {
        await using var box = Node.CreateMailbox("inbox10");
        await box.SendAsync("ctl", Erl.Name, new Tuple(Atom.Of("linkme"), box.Self));
        await Erl.EvalAsync("receive {linkme, P10} -> spawn(fun() -> link(P10), unlink(P10), link(P10), P10 ! linked, exit(boom) end) after 10000 -> timeout end");
        var linked = await NextAsync(box);
        Assert.Equal(Atom.Of("linked"), linked.Message);
        var exit = Assert.IsType<Tuple>((await NextAsync(box)).Message);
        Assert.Equal(new Tuple(Atom.Of("EXIT"), linked.Sender!, Atom.Of("boom")), exit);
    }

    [Fact]
    public async Task Erl_monitor_by_name_and_link_get_our_close_reason()
    {
        var box = Node.CreateMailbox("named12");
        await box.SendAsync("ctl", Erl.Name, new Tuple(Atom.Of("watch12"), box.Self));
        await Erl.EvalAsync(
            $"receive {{watch12, P12}} -> Ref12 = erlang:monitor(process, {{named12, '{Node.Name}'}}), Ctl12 = self(), "
            + "spawn(fun() -> process_flag(trap_exit, true), link(P12), P12 ! linked, receive {'EXIT', P12, R} -> Ctl12 ! {linkexit, R} end end), "
            + "P12 ! monitored, ok after 10000 -> timeout end");
        // Both messages came after MONITOR_P / LINK on the same connection: monitor and link are in place.
        var seen = new[] { (await NextAsync(box)).Message, (await NextAsync(box)).Message };
        Assert.Contains(Atom.Of("monitored"), seen);
        Assert.Contains(Atom.Of("linked"), seen);
        await box.CloseAsync(Atom.Of("bye"));
        Assert.Equal(
            $"{{{{named12,{Node.Name}}},bye}}",
            await Erl.EvalAsync("receive {'DOWN', Ref12, process, Who12, Why12} -> {Who12, Why12} after 10000 -> timeout end"));
        Assert.Equal("bye", await Erl.EvalAsync("receive {linkexit, R12} -> R12 after 10000 -> timeout end"));
    }

    [Fact]
    public async Task Our_link_and_unlink_to_an_erl_process()
    {
        await using var box = Node.CreateMailbox("inbox13");
        await Erl.EvalAsync($"P13 = spawn(fun() -> process_flag(trap_exit, true), (fun L() -> receive {{'EXIT', F, R}} -> {{inbox13, '{Node.Name}'}} ! {{trapped, F, R}}, L(); {{links, To}} -> To ! {{links, element(2, process_info(self(), links))}}, L(); die -> exit(died) end end)() end), {{inbox13, '{Node.Name}'}} ! {{p13, P13}}");
        var p13 = Assert.IsType<Pid>(Assert.IsType<Tuple>((await NextAsync(box)).Message)[1]);
        await box.LinkAsync(p13);
        await box.SendAsync(p13, new Tuple(Atom.Of("links"), box.Self));
        Assert.Equal(new Tuple(Atom.Of("links"), new ExEsdbGater.Beam.Terms.List([box.Self])), (await NextAsync(box)).Message);
        await box.UnlinkAsync(p13);
        await box.SendAsync(p13, new Tuple(Atom.Of("links"), box.Self));
        Assert.Equal(new Tuple(Atom.Of("links"), ExEsdbGater.Beam.Terms.List.Empty), (await NextAsync(box)).Message);
        await box.LinkAsync(p13);
        await box.SendAsync(p13, Atom.Of("die"));
        Assert.Equal(new Tuple(Atom.Of("EXIT"), p13, Atom.Of("died")), (await NextAsync(box)).Message);
    }

    [Fact]
    public async Task A_peer_silent_after_the_handshake_is_dropped_after_net_ticktime()
    {
        var mark = _f.Events.Count;
        using var fake = await FakePeerAsync();
        var name = _lastFakeName;
        var down = await _f.Events.WaitAsync(e => e.Peer == name && e.State == PeerState.Disconnected, mark);
        Assert.Contains("net_tick_timeout", down.Reason, StringComparison.Ordinal);
        Assert.True(await ClosedAsync(fake.GetStream()));
    }

    [Fact]
    public async Task Hostile_handshakes_are_dropped_without_affecting_other_connections()
    {
        Assert.Equal("pong", await Erl.EvalAsync($"net_adm:ping('{Node.Name}')"));
        var before = Node.Stats.HandshakeFailures;
        var garbage = DropsAsync([0, 5, (byte)'X', 1, 2, 3, 4]);
        var oversize = DropsAsync([0xFF, 0xFF, (byte)'N']);
        var silent = DropsAsync([]);
        var random = DropsAsync([.. Enumerable.Range(0, 200).Select(i => (byte)(i * 37))]);
        Assert.True(await garbage);
        Assert.True(await oversize);
        Assert.True(await silent);
        Assert.True(await random);
        Assert.True(Node.Stats.HandshakeFailures >= before + 4);
        Assert.Contains(Erl.Name, Node.ConnectedPeers);
        Assert.Equal("pong", await Erl.EvalAsync($"net_adm:ping('{Node.Name}')"));
    }

    // True when the node closes a raw connection that sent these bytes (then nothing).
    private async Task<bool> DropsAsync(byte[] bytes)
    {
        using var c = new TcpClient();
        await c.ConnectAsync("127.0.0.1", Node.Port);
        var s = c.GetStream();
        await s.WriteAsync(bytes);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var buf = new byte[256];
        try
        {
            while (await s.ReadAsync(buf, cts.Token) > 0)
            {
            }
            return true;
        }
        catch (IOException)
        {
            return true; // reset
        }
    }

    [Fact]
    public async Task Malformed_and_oversize_frames_after_a_real_handshake_disconnect_only_that_peer()
    {
        await Node.ConnectAsync(Erl.Name);
        var malformedBefore = Node.Stats.Malformed;
        var disconnectsBefore = Node.Stats.MalformedDisconnects;

        using (var fake = await FakePeerAsync())
        {
            var s = fake.GetStream();
            var frame = new byte[] { 0, 0, 0, 3, 112, 131, 255 };
            for (var i = 0; i < Node.Options.MaxMalformedFrames; i++)
            {
                await s.WriteAsync(frame);
            }
            Assert.True(await ClosedAsync(s));
        }
        Assert.True(Node.Stats.Malformed >= malformedBefore + Node.Options.MaxMalformedFrames);
        Assert.Equal(disconnectsBefore + 1, Node.Stats.MalformedDisconnects);

        using (var fake = await FakePeerAsync())
        {
            var s = fake.GetStream();
            var head = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(head, (uint)Node.Options.MaxFrameBytes + 1);
            await s.WriteAsync(head);
            Assert.True(await ClosedAsync(s));
        }

        Assert.Contains(Erl.Name, Node.ConnectedPeers);
        Assert.Equal("pong", await Erl.EvalAsync($"net_adm:ping('{Node.Name}')"));
    }

    private async Task<TcpClient> FakePeerAsync()
    {
        var c = new TcpClient();
        await c.ConnectAsync("127.0.0.1", Node.Port);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var fakeName = ErlNode.UniqueName("fake") + "@" + ErlangNodeName.DefaultHost(false);
        _lastFakeName = fakeName;
        await Handshake.ConnectAsync(c.GetStream(), fakeName, 1, ErlangNodeFixture.Cookie, Node.Name, cts.Token);
        return c;
    }

    private static async Task<bool> ClosedAsync(NetworkStream s)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var buf = new byte[256];
        try
        {
            while (await s.ReadAsync(buf, cts.Token) > 0)
            {
            }
            return true;
        }
        catch (IOException)
        {
            return true;
        }
    }

    [Fact]
    public async Task A_flood_from_erl_is_received_completely_and_in_order()
    {
        const int count = 30_000;
        await using var box = Node.CreateMailbox("flood");
        await Erl.EvalAsync($"spawn(fun() -> lists:foreach(fun(I) -> {{flood, '{Node.Name}'}} ! {{n, I, <<\"payload\">>}} end, lists:seq(1, {count})) end), ok");
        for (var i = 1; i <= count; i++)
        {
            var t = Assert.IsType<Tuple>((await NextAsync(box)).Message);
            Assert.Equal(new Integer(i), t[1]);
        }
        Assert.True(Node.Stats.MessagesDelivered >= count);
    }

    private static int FreePort()
    {
        var l = new TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        var port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
