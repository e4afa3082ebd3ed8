using System.Globalization;
using System.Text.Json;
using DistTrainer.Coordinator.Cli;
using DistTrainer.Coordinator.Runs;
using DistTrainer.Core.Checkpoints;
using DistTrainer.Core.Tests;
using Serilog;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Cli;

/// <summary>
/// `train` against PyTorch: the fixtures (tools/torch_training_reference.py) hold initial weights,
/// a small IDX dataset and the state_dict PyTorch reached after 12 steps of each optimizer, with and
/// without batch norm. The same options through the real CLI path must land on the same weights.
/// </summary>
public class PyTorchParityTests
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Parity");

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var c in ReadCases().RootElement.GetProperty("cases").EnumerateArray())
            data.Add(c.GetProperty("case").GetString()!);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Weights_after_twelve_steps_match_pytorch(string name) => AssertMatchesPyTorch(name, "cpu", "--workers", "0");

    /// <summary>The same fixtures through the embedded cluster: two workers, batch norm synchronised across them.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void Weights_after_twelve_steps_through_two_workers_match_pytorch(string name) =>
        AssertMatchesPyTorch(name, "cpu", "--workers", "2", "--batchnorm-mode", "sync", "--threads", "1");

    /// <summary>The ILGPU kernels (on ILGPU's CPU simulator here; on CUDA where there is a GPU) train to the same weights.</summary>
    [Theory]
    [InlineData("adam_bn")]
    [InlineData("sigmoid_bce")]
    [InlineData("softmax_mse")]
    public void Weights_after_twelve_steps_on_ilgpu_match_pytorch(string name) => AssertMatchesPyTorch(name, "ilgpu", "--workers", "0");

    private static void AssertMatchesPyTorch(string name, string device, params string[] mode)
    {
        using var cases = ReadCases();
        var c = cases.RootElement.GetProperty("cases").EnumerateArray().Single(e => e.GetProperty("case").GetString() == name);
        using var dir = new TempDirectory();
        string saved = Path.Combine(dir.Path, "out.safetensors");
        var args = new List<string>
        {
            "--data-dir", Path.Combine(Root, "data"),
            "--layers", c.GetProperty("layers").GetString()!,
            "--loss", c.GetProperty("loss").GetString()!,
            "--optimizer", c.GetProperty("optimizer").GetString()!,
            "--batch-size", cases.RootElement.GetProperty("batch_size").GetInt32().ToString(CultureInfo.InvariantCulture),
            "--steps", cases.RootElement.GetProperty("steps").GetInt32().ToString(CultureInfo.InvariantCulture),
            "--no-shuffle", "--device", device,
            "--init-from", Path.Combine(Root, $"init-{c.GetProperty("model").GetString()}.safetensors"),
            "--save", saved,
        };
        args.AddRange(mode);
        foreach (var option in c.GetProperty("options").EnumerateObject())
            args.AddRange([$"--{option.Name}", option.Value.GetDouble().ToString("R", CultureInfo.InvariantCulture)]);

        int exit = TrainCommand.Run(TrainArguments.Parse(args), TextWriter.Null, new LoggerConfiguration().CreateLogger());

        Assert.Equal(0, exit);
        var expected = SafeTensorsFile.Read(Path.Combine(Root, "expected", $"{name}.safetensors")).Tensors;
        var actual = SafeTensorsFile.Read(saved).Tensors;
        foreach (var (tensorName, tensor) in expected)
        {
            Assert.True(actual.ContainsKey(tensorName), $"{name}: {tensorName} missing from the saved checkpoint");
            if (tensor.DType == "I64")
            {
                Assert.Equal(tensor.ToInt64(), actual[tensorName].ToInt64());
                continue;
            }
            var want = tensor.ToFloats();
            var got = actual[tensorName].ToFloats();
            Assert.Equal(want.Length, got.Length);
            for (int i = 0; i < want.Length; i++)
            {
                double tolerance = 1e-4 * Math.Max(Math.Abs(want[i]), Math.Abs(got[i])) + 1e-6;
                Assert.True(Math.Abs(want[i] - got[i]) <= tolerance,
                    $"{name}: {tensorName}[{i}] is {got[i]:G9}, PyTorch has {want[i]:G9}");
            }
        }
    }

    private static JsonDocument ReadCases() => JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "cases.json")));
}
