namespace DistTrainer.Nn;

/// <summary>
/// Where and how a <see cref="Sequential"/> is built. The defaults are the CLI's: seed 1, device "auto" (a CUDA GPU
/// when one is found, else the vectorised CPU backend), all cores.
/// </summary>
public sealed record ModelOptions
{
    /// <summary>Draws the initial weights, and with the step seeds the dropout masks (the CLI's --seed).</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>"auto", "cpu" or "ilgpu", as the CLI's --device.</summary>
    public string Device { get; init; } = "auto";

    /// <summary>Threads of the CPU backend; 0 uses every core (the CLI's --threads).</summary>
    public int Threads { get; init; }

    /// <summary>The most rows one forward pass takes: every buffer is allocated once for this many.</summary>
    public int MaxRows { get; init; } = 1024;
}
