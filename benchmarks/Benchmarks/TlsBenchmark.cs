using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.Security;
using DistTrainer.Cluster.Tests.Security;
using DistTrainer.Coordinator.Runs;

namespace DistTrainer.Benchmarks;

/// <summary>
/// What mutual TLS costs the data plane: one-way throughput and round trip of frames the size of the default model's
/// weights, on loopback, in clear and over TLS, and how long connecting takes with its handshake and Hello. The two
/// take turns for several rounds and each keeps its best figure, so that a burst of load on the shared machine costs
/// one round of one of them, not the comparison.
/// </summary>
public static class TlsBenchmark
{
    private const int Connects = 20;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static int Run(BenchmarkArguments args)
    {
        var window = TimeSpan.FromMilliseconds(args.Int("--window-ms", 1000));
        int rounds = args.Int("--rounds", 3);
        string output = args.String("--out", Path.Combine("docs", "benchmarks", "tls.md"));
        string loadBefore = MachineInfo.LoadAverage();
        int floats = (int)ReferenceRuns.ParameterCountOf(TrainOptions.DefaultLayers);
        var certificates = new TestCertificates("disttrainer benchmark CA");
        var modes = new (string Name, DataPlaneOptions Listener, DataPlaneOptions Client)[]
        {
            ("plaintext", new DataPlaneOptions(), new DataPlaneOptions()),
            ("mutual TLS", new DataPlaneOptions { Tls = certificates.Node("coordinator") }, new DataPlaneOptions { Tls = certificates.Node("worker-1") }),
        };
        string negotiated = Negotiated(modes[1].Listener.Tls!, modes[1].Client.Tls!);

        var best = modes.Select(_ => new Best()).ToArray();
        for (int round = 0; round < rounds; round++)
        {
            for (int m = 0; m < modes.Length; m++)
            {
                var (name, listener, client) = modes[m];
                best[m].Add(TensorConnectionTransport.Measure(floats, window, listener, client), ConnectMilliseconds(listener, client));
                Console.WriteLine($"round {round + 1}: {name}: {best[m]}");
            }
        }

        var rows = modes.Select((mode, m) => Row(mode.Name, floats, best[m], best[0])).ToList();
        var report = new BenchmarkReport("Tensor data plane: plaintext against mutual TLS", "tls", args)
        {
            MachineDetails = $"; load average before: {loadBefore}, after: {MachineInfo.LoadAverage()}",
            Notes =
            [
                $"Frames of {floats} floats: the weights of the default model of `train` (a shard's gradients are that and its batch-norm",
                "statistics). A TensorListener and a TensorClient connection in this process on loopback; both ends share the machine's cores.",
                "One-way: frames queued back to back for about one window, GB/s = payload bytes delivered to the receiver's handler / time;",
                "round trip: one frame out and the same array back, the median over one window (see `dataplane` for the procedure).",
                "The round trip is the data plane's share of a step for one worker: a weights frame down and a gradient frame of the same size up.",
                $"Connect: the median of {Connects} connects, from the client's call to the listener handing over the connection (TCP, the TLS",
                $"handshake with both certificates checked against the private CA, and the Hello). Best of {rounds} rounds per figure, the two taking turns.",
                $"TLS: what the runtime negotiated, {negotiated}; ECDSA P-256 certificates.",
            ],
        };
        report.Write(output, ["transport", "MB", "one-way GB/s", "vs plaintext", "round trip µs", "vs plaintext", "connect ms"], rows);
        return 0;
    }

    private static string Row(string name, int floats, Best figures, Best plaintext)
    {
        string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
        string line = $"| {name} | {F(floats * 4 / 1e6, "F2")} | {F(figures.GigabytesPerSecond, "F2")} | " +
            $"{F(figures.GigabytesPerSecond / plaintext.GigabytesPerSecond, "F2")}x | {F(figures.RoundTripMicroseconds, "F0")} | " +
            $"{F(figures.RoundTripMicroseconds / plaintext.RoundTripMicroseconds, "F2")}x | {F(figures.ConnectMilliseconds, "F2")} |";
        Console.WriteLine(line);
        return line;
    }

    /// <summary>The median time from <see cref="TensorClient.Connect"/> to the listener's connected handler.</summary>
    private static double ConnectMilliseconds(DataPlaneOptions listenerOptions, DataPlaneOptions clientOptions)
    {
        using var handedOver = new SemaphoreSlim(0);
        string? refusal = null;
        using var listener = new TensorListener("127.0.0.1", 0, connection =>
        {
            connection.Dispose();
            handedOver.Release();
        }, reason => refusal = reason, listenerOptions);
        var times = new List<double>();
        for (int i = 0; i < Connects; i++)
        {
            long start = Stopwatch.GetTimestamp();
            using var client = TensorClient.Connect("127.0.0.1", listener.Port, "benchmark", Patience, retries: 0, clientOptions);
            if (!handedOver.Wait(Patience)) throw new TimeoutException($"no connection handed over within {Patience}: {refusal}");
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return Statistics.Median(times);
    }

    /// <summary>The protocol and cipher suite two nodes' handshake settles on, as the data plane's connections do.</summary>
    private static string Negotiated(TlsCredentials server, TlsCredentials client)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var connecting = new TcpClient();
        connecting.Connect(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var accepted = listener.AcceptTcpClient();
        using var deadline = new CancellationTokenSource(Patience);
        var accepting = TlsHandshake.AcceptAsync(accepted.GetStream(), server, deadline.Token);
        using var session = TlsHandshake.ConnectAsync(connecting.GetStream(), "coordinator", client, deadline.Token).GetAwaiter().GetResult().Stream;
        accepting.GetAwaiter().GetResult().Stream.Dispose();
        return $"{session.SslProtocol}, {session.NegotiatedCipherSuite}";
    }

    /// <summary>The best of each figure over the rounds: the most throughput, the shortest round trip and connect.</summary>
    private sealed class Best
    {
        public double GigabytesPerSecond { get; private set; }
        public double RoundTripMicroseconds { get; private set; } = double.MaxValue;
        public double ConnectMilliseconds { get; private set; } = double.MaxValue;

        public void Add(TransportFigures figures, double connectMilliseconds)
        {
            GigabytesPerSecond = Math.Max(GigabytesPerSecond, figures.GigabytesPerSecond);
            RoundTripMicroseconds = Math.Min(RoundTripMicroseconds, figures.RoundTripMicroseconds);
            ConnectMilliseconds = Math.Min(ConnectMilliseconds, connectMilliseconds);
        }

        public override string ToString() =>
            FormattableString.Invariant($"{GigabytesPerSecond:F2} GB/s, {RoundTripMicroseconds:F0} µs round trip, {ConnectMilliseconds:F2} ms connect");
    }
}
