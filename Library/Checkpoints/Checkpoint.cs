using DistTrainer.Core.Checkpoints;
using DistTrainer.Nn;
using DistTrainer.Optim;

namespace DistTrainer.Checkpoints;

/// <summary>
/// Models and optimizers as safetensors files in the engine's checkpoint format: the CLI's `evaluate`, --init-from
/// and --resume read what <see cref="Save"/> writes, and <see cref="Load"/> reads what `train --save` writes
/// (and PyTorch's state_dict files, whose tensors carry the same names).
/// </summary>
public static class Checkpoint
{
    /// <summary>Writes the model, and the optimizer's state and step when given, atomically to <paramref name="path"/>.</summary>
    public static void Save(string path, Sequential model, Optimizer? optimizer = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ModelCheckpoint.Save(path, model.Core, optimizer?.Engine);
    }

    /// <summary>
    /// Loads the model's tensors and, when the file holds state of the same optimizer, that state and its step (the
    /// model's <see cref="Sequential.Step"/> follows it). Returns whether optimizer state was restored.
    /// </summary>
    public static bool Load(string path, Sequential model, Optimizer? optimizer = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        bool restored = ModelCheckpoint.Load(path, model.Core, optimizer?.Engine);
        model.ParametersChanged();
        if (restored) model.Step = optimizer!.StepCount;
        return restored;
    }

    /// <summary>A new model of the layers a checkpoint written here or by `train --save` records, holding its weights.</summary>
    public static Sequential LoadModel(string path, ModelOptions? options = null)
    {
        var model = new Sequential(ModelCheckpoint.ReadSpec(path), options ?? new ModelOptions());
        try
        {
            Load(path, model);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
