using System.Text.Json;
using DistTrainer.Core.Optimizers;
using Xunit;

namespace DistTrainer.Core.Tests.Optimizers;

/// <summary>
/// A run of torch.optim recorded by tools/torch_optimizer_reference.py: the settings, the initial parameters,
/// the gradient of every step and the parameters torch held after it.
/// </summary>
internal sealed record TorchFixture(
    string Case, OptimizerSettings Settings, float[] Initial, float[][] Gradients, float[][] Expected)
{
    private const float RelativeTolerance = 1e-5f;
    private const float AbsoluteTolerance = 1e-7f;

    private static string FixtureDirectory => Path.Combine(AppContext.BaseDirectory, "Fixtures", "Optimizers");

    public static IEnumerable<string> CaseNames() =>
        Directory.GetFiles(FixtureDirectory, "*.json").Select(path => Path.GetFileNameWithoutExtension(path)!).Order();

    public static TorchFixture Load(string caseName)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(FixtureDirectory, caseName + ".json")));
        var root = document.RootElement;
        var settings = root.GetProperty("settings");
        float? Option(string key) => settings.TryGetProperty(key, out var value) ? value.GetSingle() : null;
        return new TorchFixture(
            root.GetProperty("case").GetString()!,
            new OptimizerSettings(
                settings.GetProperty("name").GetString()!,
                LearningRate: Option("lr"),
                Momentum: Option("momentum"),
                Beta1: Option("beta1"),
                Beta2: Option("beta2"),
                Eps: Option("eps"),
                Rho: Option("rho"),
                Alpha: Option("alpha"),
                WeightDecay: Option("weight_decay")),
            Vector(root.GetProperty("initial")),
            Matrix(root.GetProperty("gradients")),
            Matrix(root.GetProperty("expected")));
    }

    /// <summary>Replays the gradients through our optimizer and checks every step against torch's parameters.</summary>
    public void AssertReplayMatchesTorch()
    {
        var optimizer = OptimizerFactory.Create(Settings, Initial.Length);
        var parameters = (float[])Initial.Clone();
        for (var step = 0; step < Gradients.Length; step++)
        {
            optimizer.Step(parameters, Gradients[step]);
            for (var i = 0; i < parameters.Length; i++)
            {
                var expected = Expected[step][i];
                var tolerance = RelativeTolerance * Math.Abs(expected) + AbsoluteTolerance;
                Assert.True(
                    Math.Abs(parameters[i] - expected) <= tolerance,
                    $"{Case}: step {step + 1}, parameter {i}: torch {expected:R}, ours {parameters[i]:R}");
            }
        }
    }

    private static float[] Vector(JsonElement array) => [.. array.EnumerateArray().Select(value => value.GetSingle())];

    private static float[][] Matrix(JsonElement array) => [.. array.EnumerateArray().Select(Vector)];
}
