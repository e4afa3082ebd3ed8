namespace DistTrainer.Nn;

/// <summary>
/// One layer of a <see cref="Sequential"/>, as torch.nn names it. A module is only a description: the model
/// builds the layer, and holds its weights, when it is constructed.
/// </summary>
public abstract class Module
{
    /// <summary>The module as an entry of the engine's layer spec, e.g. "linear:784:256" (the CLI's --layers form).</summary>
    internal abstract string Entry { get; }

    /// <summary>The module's layer-spec entry, e.g. "linear:784:256" or "dropout:0.2".</summary>
    public override string ToString() => Entry;
}
