# One Elixir publisher, one Elixir receiver and (from gater) a .NET bus, all in the :pg scope Phoenix.PubSub,
# group :"Elixir.ex_esdb_health.Adapter", as Phoenix.PubSub's PG2 adapter (phoenix_pubsub 2.x) arranges them.
# Run by `gater bench --beam` as two nodes; no Mix project, no deps (hex packages may be unavailable).
#
#   elixir --sname R --cookie C beam_pubsub.exs receiver WARMUP N
#   SECRET_KEY_BASE=S elixir --sname P --cookie C --erl "+zdbbl 1048576" beam_pubsub.exs publisher WARMUP N RECEIVER_NODE STRUCT TAG FIELDS
#
# receiver: a PG2-shaped worker registered as and joined to the group; each {:forward_to_local, topic, msg, _} is
#   dispatched through a Registry to a local subscriber, as Phoenix.PubSub.local_broadcast does. Nothing is
#   verified there: that is what a BEAM subscriber of the original gets. Lines: "ready NODE", "warm" (after WARMUP
#   messages), "done received=K first_us=T last_us=T" (monotonic microseconds of message WARMUP+1 and WARMUP+N).
# publisher: defines STRUCT (the original's module name) with FIELDS (comma-separated, from gater's catalog),
#   connects to RECEIVER_NODE, waits for 2 remote members in the group, sends WARMUP messages, says "warm-sent",
#   waits for "go" on stdin, then sends N as Phoenix.PubSub.PG2.broadcast does and says
#   "sent n=N members=K elapsed_us=T". Each message is signed on its own, as the original signs each broadcast.
#   +zdbbl: a large distribution buffer, so a slower receiver does not hold the publisher back for the other one.
# EOF on stdin stops either node.

defmodule BeamPubSub do
  @scope Phoenix.PubSub
  @group :"Elixir.ex_esdb_health.Adapter"
  @topic "health"

  def main(["receiver", warmup, n]) do
    warmup = String.to_integer(warmup)
    n = String.to_integer(n)
    {:ok, _} = :pg.start_link(@scope)
    {:ok, _} = Registry.start_link(keys: :duplicate, name: __MODULE__.Registry, partitions: System.schedulers_online())
    parent = self()
    sub = spawn_link(fn -> subscriber(parent, warmup, n) end)
    receive(do: (:subscribed -> :ok))

    spawn_link(fn ->
      Process.register(self(), @group)
      :ok = :pg.join(@scope, @group, self())
      send(parent, :joined)
      worker()
    end)

    receive(do: (:joined -> :ok))
    IO.puts("ready #{node()}")
    watch_stdin()
    relay(sub)
  end

  def main(["publisher", warmup, n, receiver, struct, tag, fields]) do
    warmup = String.to_integer(warmup)
    n = String.to_integer(n)
    secret = System.fetch_env!("SECRET_KEY_BASE")
    mod = String.to_atom(struct)
    keys = fields |> String.split(",", trim: true) |> Enum.map(&String.to_atom/1)
    # the original's struct, with the fields gater's catalog gives
    Module.create(mod, quote(do: defstruct(unquote(keys))), Macro.Env.location(__ENV__))
    {:ok, _} = :pg.start_link(@scope)
    true = Node.connect(String.to_atom(receiver))
    IO.puts("ready #{node()}")
    watch_stdin()
    members = await_members(2, System.monotonic_time(:millisecond) + 30_000)
    IO.puts("members #{length(members)}")
    msg = message(mod, String.to_atom(tag))
    send_all(members, msg, secret, warmup)
    IO.puts("warm-sent")
    receive(do: (:go -> :ok))
    t0 = System.monotonic_time(:microsecond)
    send_all(members, msg, secret, n)
    IO.puts("sent n=#{n} members=#{length(members)} elapsed_us=#{System.monotonic_time(:microsecond) - t0}")
    receive(do: (:never -> :ok))
  end

  # as the original's HealthMessages.node_health/3 fills a NodeHealth
  defp message(mod, tag) do
    {tag, struct(mod, node: node(), status: :healthy, checks: %{disk: "ok", raft: "ok"}, load_avg: 0.42,
      memory_usage: 63.5, disk_usage: 71.2, timestamp: DateTime.utc_now())}
  end

  # Phoenix.PubSub.PG2.broadcast: the tuple to every member on another node; signed per broadcast, as the original
  defp send_all(_members, _msg, _secret, 0), do: :ok

  defp send_all(members, msg, secret, left) do
    signed = {:secure_message, :crypto.mac(:hmac, :sha256, secret, :erlang.term_to_binary(msg)), msg}
    for pid <- members, do: send(pid, {:forward_to_local, @topic, signed, Phoenix.PubSub})
    send_all(members, msg, secret, left - 1)
  end

  defp await_members(want, deadline) do
    members = for pid <- :pg.get_members(@scope, @group), node(pid) != node(), do: pid

    cond do
      length(members) >= want -> members
      System.monotonic_time(:millisecond) > deadline -> raise "only #{length(members)} of #{want} remote members joined #{@group}"
      true -> Process.sleep(20) && await_members(want, deadline)
    end
  end

  # Phoenix.PubSub.PG2Worker: forward_to_local becomes a local dispatch to the topic's subscribers
  defp worker do
    receive do
      {:forward_to_local, topic, message, _dispatcher} ->
        Registry.dispatch(__MODULE__.Registry, topic, fn entries -> for {pid, _} <- entries, do: send(pid, message) end)

      _ ->
        :ok
    end

    worker()
  end

  defp subscriber(parent, warmup, n) do
    {:ok, _} = Registry.register(__MODULE__.Registry, @topic, nil)
    send(parent, :subscribed)
    count(parent, warmup, warmup + n, 0, nil)
  end

  defp count(parent, warmup, total, k, first) do
    receive do
      {:secure_message, _sig, _msg} ->
        k = k + 1
        now = System.monotonic_time(:microsecond)
        if k == warmup, do: send(parent, {:line, "warm"})
        first = if k == warmup + 1, do: now, else: first

        if k == total do
          send(parent, {:line, "done received=#{k - warmup} first_us=#{first} last_us=#{now}"})
        end

        count(parent, warmup, total, k, first)
    end
  end

  defp relay(sub) do
    receive do
      {:line, line} -> IO.puts(line)
    end

    relay(sub)
  end

  # stdin: "go" releases the publisher; EOF ends the node, so it never outlives gater
  defp watch_stdin do
    parent = self()

    spawn_link(fn ->
      stdin_loop(parent)
    end)
  end

  defp stdin_loop(parent) do
    case IO.read(:stdio, :line) do
      line when is_binary(line) ->
        if String.trim(line) == "go", do: send(parent, :go)
        stdin_loop(parent)

      _ ->
        System.halt(0)
    end
  end
end

BeamPubSub.main(System.argv())
