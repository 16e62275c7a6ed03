# The original library's signing scheme on BEAM, as a baseline for `gater bench --beam-baseline`.
#
#   elixir bench/beam_baseline.exs [--json] [--seconds S]
#
# Per broadcast: :erlang.term_to_binary of a NodeHealth-shaped struct, HMAC-SHA256 of those bytes, then a
# Registry dispatch (how Phoenix.PubSub delivers locally) of {:secure_message, sig, msg} to every subscriber
# process; each subscriber re-encodes the term and checks the HMAC again. Measured at 1, 10 and 1000 subscribers,
# with subscribers' :message_queue_data off_heap and on_heap; the best of the two is the figure per count.
# Self-contained: no Mix project, no deps (only :crypto, from erlang-crypto on Debian).

defmodule NodeHealth do
  defstruct [:node, :status, :checks, :load_avg, :memory_usage, :disk_usage, :timestamp]
end

defmodule BeamBaseline do
  @secret "bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
  @registry BeamBaseline.Registry
  @topic "cluster:health"

  def main(argv) do
    {opts, _, invalid} = OptionParser.parse(argv, strict: [json: :boolean, seconds: :float])

    if invalid != [] do
      IO.puts(:stderr, "beam_baseline.exs: unknown arguments #{inspect(invalid)}; usage: elixir bench/beam_baseline.exs [--json] [--seconds S]")
      System.halt(2)
    end

    json = Keyword.get(opts, :json, false)
    seconds = Keyword.get(opts, :seconds, 1.0)
    # Phoenix.PubSub's registry: duplicate keys, one partition per scheduler
    {:ok, _} = Registry.start_link(keys: :duplicate, name: @registry, partitions: System.schedulers_online())

    configs =
      for subscribers <- [1, 10, 1000], mode <- [:off_heap, :on_heap] do
        rate = measure(subscribers, mode, seconds)
        unless json, do: IO.puts(String.pad_trailing("beam_fanout_#{subscribers} (#{mode})", 30) <> String.pad_leading(format(rate), 14) <> " deliveries/s")
        %{subscribers: subscribers, message_queue_data: mode, deliveries_per_second: rate}
      end

    best =
      for n <- [1, 10, 1000] do
        c = configs |> Enum.filter(&(&1.subscribers == n)) |> Enum.max_by(& &1.deliveries_per_second)
        unless json, do: IO.puts(String.pad_trailing("beam_fanout_#{n} best", 30) <> String.pad_leading(format(c.deliveries_per_second), 14) <> " deliveries/s (#{c.message_queue_data})")
        {"beam_fanout_#{n}", c}
      end

    if json do
      results = Enum.map_join(best, ",", fn {k, c} -> ~s("#{k}":#{round(c.deliveries_per_second)}) end)
      best_modes = Enum.map_join(best, ",", fn {k, c} -> ~s("#{k}":"#{c.message_queue_data}") end)
      rows =
        Enum.map_join(configs, ",", fn c ->
          ~s({"subscribers":#{c.subscribers},"message_queue_data":"#{c.message_queue_data}","deliveries_per_second":#{round(c.deliveries_per_second)}})
        end)
      IO.puts(
        ~s({"results":{#{results}},"best_message_queue_data":{#{best_modes}},"configurations":[#{rows}],) <>
          ~s("details":{"otp_release":"#{System.otp_release()}","elixir":"#{System.version()}","schedulers":#{System.schedulers_online()},) <>
          ~s("term_bytes":#{byte_size(:erlang.term_to_binary(message()))},"seconds_per_measurement":#{seconds}}})
      )
    end
  end

  def message do
    %NodeHealth{node: :"gater1@bench-host", status: :healthy, checks: %{disk: "ok", raft: "ok"}, load_avg: 0.42,
      memory_usage: 63.5, disk_usage: 71.2, timestamp: DateTime.utc_now()}
  end

  def sign(msg), do: :crypto.mac(:hmac, :sha256, @secret, :erlang.term_to_binary(msg))

  defp format(rate), do: rate |> round() |> Integer.to_string() |> String.replace(~r/\B(?=(\d{3})+$)/, ",")

  # Broadcasts in batches for the time budget; the publisher stays at most one batch ahead of the slowest
  # subscriber (acks per batch), so mailboxes stay bounded, as the .NET bench bounds its inbound queue.
  defp measure(subscribers, mode, seconds) do
    parent = self()
    batch = max(20, div(20_000, subscribers))
    pids = for _ <- 1..subscribers, do: spawn_link(fn -> subscriber(parent, mode) end)
    for _ <- pids, do: receive(do: (:registered -> :ok))
    msg = message()
    # warm-up: a few batches, not measured
    run(subscribers, batch, msg, System.monotonic_time() + native(min(0.2, seconds)))
    start = System.monotonic_time()
    batches = run(subscribers, batch, msg, start + native(seconds))
    elapsed = (System.monotonic_time() - start) / native(1.0)
    for pid <- pids, do: send(pid, :stop)
    for _ <- pids, do: receive(do: ({:stopped, bad} -> if(bad > 0, do: raise("#{bad} signatures rejected"))))
    batches * batch * subscribers / elapsed
  end

  defp native(seconds), do: round(seconds * System.convert_time_unit(1, :second, :native))

  defp run(subscribers, batch, msg, deadline), do: run(subscribers, batch, msg, deadline, 0)

  defp run(subscribers, batch, msg, deadline, done) do
    for _ <- 1..batch, do: broadcast(msg)
    dispatch({:mark, done})
    if done > 0, do: await_acks(done - 1, subscribers)

    if System.monotonic_time() < deadline do
      run(subscribers, batch, msg, deadline, done + 1)
    else
      await_acks(done, subscribers)
      done + 1
    end
  end

  defp await_acks(_k, 0), do: :ok
  defp await_acks(k, left), do: receive(do: ({:ack, ^k} -> await_acks(k, left - 1)))

  defp broadcast(msg), do: dispatch({:secure_message, sign(msg), msg})

  defp dispatch(payload) do
    Registry.dispatch(@registry, @topic, fn entries -> for {pid, _} <- entries, do: send(pid, payload) end)
  end

  defp subscriber(parent, mode) do
    Process.flag(:message_queue_data, mode)
    {:ok, _} = Registry.register(@registry, @topic, nil)
    send(parent, :registered)
    loop(parent, 0)
  end

  defp loop(parent, bad) do
    receive do
      {:secure_message, sig, msg} ->
        # the original re-encodes the received term and compares HMACs
        ok = :crypto.hash_equals(sign(msg), sig)
        loop(parent, if(ok, do: bad, else: bad + 1))

      {:mark, k} ->
        send(parent, {:ack, k})
        loop(parent, bad)

      :stop ->
        Registry.unregister(@registry, @topic)
        send(parent, {:stopped, bad})
    end
  end
end

BeamBaseline.main(System.argv())
