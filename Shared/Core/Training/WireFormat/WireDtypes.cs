namespace DistTrainer.Core.Training.WireFormat;

/// <summary>The command-line names of <see cref="WireDtype"/> and their parsing.</summary>
public static class WireDtypes
{
    public const string Choices = "fp32|bf16|fp16";

    public static string Name(WireDtype dtype) => dtype.ToString().ToLowerInvariant();

    /// <exception cref="InvalidInputException"><paramref name="text"/> is none of fp32, bf16, fp16</exception>
    public static WireDtype Parse(string option, string text) => text switch
    {
        "fp32" => WireDtype.Fp32,
        "bf16" => WireDtype.Bf16,
        "fp16" => WireDtype.Fp16,
        _ => throw new InvalidInputException($"{option}: '{text}'; expected fp32, bf16 or fp16"),
    };
}
