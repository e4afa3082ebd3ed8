using DistTrainer.Core.Compute;
using DistTrainer.Core.Compute.Reference;
using DistTrainer.Core.Nn;
using DistTrainer.Core.Nn.Layers;
using DistTrainer.Core.Nn.Losses;
using Xunit;

namespace DistTrainer.Core.Tests.Nn;

/// <summary>
/// Compares a model's back-propagated gradients with central finite differences of its loss,
/// all in double precision on the reference backend, so that a wrong derivative shows as a
/// difference many orders of magnitude above the rounding noise.
/// </summary>
internal static class GradientCheck
{
    public static void Run(string layers, LossKind lossKind, int rows, bool training = true, int seed = 1, double h = 1e-6)
    {
        var backend = new ReferenceBackend();
        var spec = ModelSpec.Parse(layers);
        using var model = new Sequential(spec, backend, rows);
        model.Initialize((ulong)seed);
        var random = new Random(seed);
        var input = ReferenceBackend.View(model.Input(rows));
        for (int i = 0; i < input.Length; i++) input[i] = random.NextDouble() * 2 - 1;

        var loss = new LossFunction(lossKind);
        var targets = backend.Allocate(rows * loss.TargetWidth(spec.OutputWidth));
        var targetValues = ReferenceBackend.View(targets.All);
        for (int i = 0; i < targetValues.Length; i++)
        {
            targetValues[i] = lossKind switch
            {
                LossKind.CrossEntropy => random.Next(spec.OutputWidth),
                LossKind.Bce or LossKind.BceWithLogits => random.NextDouble(),
                _ => random.NextDouble() * 2 - 1,
            };
        }
        int normalizer = loss.Normalizer(rows, spec.OutputWidth);
        var context = new StepContext(training, 7, 42, 0);

        double Evaluate()
        {
            var output = model.Forward(context, rows);
            return backend.Loss(lossKind, output, targets.All, rows, spec.OutputWidth, 1f / normalizer, model.OutputGradient(rows)) / normalizer;
        }

        Evaluate();
        model.Backward(rows);
        var analytic = ReferenceBackend.View(model.Gradients).ToArray();
        var parameters = ReferenceBackend.View(model.Parameters);
        int checkedCount = 0;
        double largest = 0;
        for (int i = 0; i < parameters.Length; i++)
        {
            double saved = parameters[i];
            parameters[i] = saved + h;
            double plus = Evaluate();
            parameters[i] = saved - h;
            double minus = Evaluate();
            parameters[i] = saved;
            double numeric = (plus - minus) / (2 * h);
            double tolerance = 1e-6 + 1e-5 * Math.Max(Math.Abs(numeric), Math.Abs(analytic[i]));
            Assert.True(Math.Abs(numeric - analytic[i]) <= tolerance,
                $"{layers} / {lossKind}: parameter {Name(model, i)} analytic {analytic[i]:G10} vs numeric {numeric:G10}");
            largest = Math.Max(largest, Math.Abs(analytic[i]));
            checkedCount++;
        }
        Assert.Equal(model.ParameterCount, checkedCount);
        Assert.True(largest > 1e-4, $"{layers} / {lossKind}: every gradient is ~0, the check would prove nothing");
    }

    private static string Name(Sequential model, int index)
    {
        var placement = model.ParameterLayout.Last(p => p.Offset <= index);
        return $"{placement.Name}[{index - placement.Offset}]";
    }
}
