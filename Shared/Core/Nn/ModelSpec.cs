using System.Globalization;
using DistTrainer.Core.Compute;
using DistTrainer.Core.Nn.Init;

namespace DistTrainer.Core.Nn;

/// <summary>
/// A sequential model as text, e.g. "linear:784:256,batchnorm:256,relu,dropout:0.2,linear:256:10".
/// Entry i becomes layer i, whose tensors are named "i.weight" and so on, as in nn.Sequential.
/// A linear entry may end with an initialiser: "linear:784:256:he", "linear:2:4:normal:0.5".
/// </summary>
public sealed class ModelSpec
{
    public const string LayerKinds = "linear:IN:OUT[:INIT], batchnorm:N, dropout:P, step, sigmoid, tanh, relu, leaky_relu[:SLOPE], softmax";

    private ModelSpec(IReadOnlyList<LayerSpec> layers, int inputWidth, int outputWidth)
    {
        Layers = layers;
        InputWidth = inputWidth;
        OutputWidth = outputWidth;
    }

    public IReadOnlyList<LayerSpec> Layers { get; }
    public int InputWidth { get; }
    public int OutputWidth { get; }

    /// <summary>
    /// Parses and checks that the entries chain (each linear/batchnorm takes the width the previous
    /// entry gives). <paramref name="defaultInit"/> applies to linear entries that name none.
    /// </summary>
    public static ModelSpec Parse(string text, Initializer? defaultInit = null, string option = "--layers")
    {
        defaultInit ??= Initializer.Default;
        var entries = text.Split(',', StringSplitOptions.TrimEntries);
        if (entries.Length == 0 || entries.All(string.IsNullOrEmpty))
            throw new InvalidInputException($"{option}: the layer spec is empty; expected entries like {LayerKinds}");
        var layers = new List<LayerSpec>();
        int? width = null;
        int? inputWidth = null;
        for (int i = 0; i < entries.Length; i++)
        {
            string where = $"{option}: entry {i} '{entries[i]}'";
            var parts = entries[i].Split(':');
            switch (parts[0])
            {
                case "linear":
                    {
                        if (parts.Length < 3)
                            throw new InvalidInputException($"{where}: linear needs IN:OUT, e.g. linear:784:256");
                        int input = ParsePositive(parts[1], where, "IN");
                        int output = ParsePositive(parts[2], where, "OUT");
                        if (width is { } w && w != input)
                            throw new InvalidInputException(
                                $"{where}: takes {input} inputs but the layers before it give {w}; the spec does not chain");
                        var init = parts.Length > 3 ? Initializer.Parse(string.Join(':', parts[3..]), where) : defaultInit;
                        layers.Add(new LinearSpec(input, output, init));
                        inputWidth ??= input;
                        width = output;
                        break;
                    }
                case "batchnorm":
                    {
                        RequireParts(parts, 2, where, "batchnorm:N");
                        int n = ParsePositive(parts[1], where, "N");
                        if (width is { } w && w != n)
                            throw new InvalidInputException($"{where}: normalises {n} features but the layers before it give {w}; the spec does not chain");
                        layers.Add(new BatchNormSpec(n));
                        inputWidth ??= n;
                        width = n;
                        break;
                    }
                case "dropout":
                    {
                        RequireParts(parts, 2, where, "dropout:P");
                        float p = ParseFloat(parts[1], where);
                        if (!(p >= 0 && p <= 1))
                            throw new InvalidInputException($"{where}: the dropout probability must be in [0, 1]");
                        layers.Add(new DropoutSpec(p));
                        break;
                    }
                case "softmax":
                    RequireParts(parts, 1, where, "softmax");
                    layers.Add(new SoftmaxSpec());
                    break;
                case "leaky_relu":
                    if (parts.Length > 2)
                        throw new InvalidInputException($"{where}: expected leaky_relu or leaky_relu:SLOPE");
                    layers.Add(new ActivationSpec(new Activation(ActivationKind.LeakyRelu,
                        parts.Length == 2 ? ParseFloat(parts[1], where) : 0.01f)));
                    break;
                default:
                    var kind = parts[0] switch
                    {
                        "step" => ActivationKind.Step,
                        "sigmoid" => ActivationKind.Sigmoid,
                        "tanh" => ActivationKind.Tanh,
                        "relu" => ActivationKind.Relu,
                        _ => throw new InvalidInputException($"{where}: unknown layer '{parts[0]}'; expected one of {LayerKinds}"),
                    };
                    RequireParts(parts, 1, where, parts[0]);
                    layers.Add(new ActivationSpec(new Activation(kind)));
                    break;
            }
            if (width is null)
                throw new InvalidInputException($"{where}: the first entry must fix the input width (linear:IN:OUT or batchnorm:N)");
        }
        return new ModelSpec(layers, inputWidth!.Value, width!.Value);
    }

    private static void RequireParts(string[] parts, int count, string where, string form)
    {
        if (parts.Length != count)
            throw new InvalidInputException($"{where}: expected {form}");
    }

    private static int ParsePositive(string text, string where, string what)
    {
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value <= 0)
            throw new InvalidInputException($"{where}: {what} must be a positive integer, got '{text}'");
        return value;
    }

    private static float ParseFloat(string text, string where)
    {
        if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !float.IsFinite(value))
            throw new InvalidInputException($"{where}: '{text}' is not a number");
        return value;
    }
}
