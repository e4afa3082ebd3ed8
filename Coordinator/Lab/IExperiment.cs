namespace DistTrainer.Coordinator.Lab;

/// <summary>One classic experiment: runs the trainer at the context's scale and writes its report.</summary>
public interface IExperiment
{
    /// <summary>The name `lab NAME` takes.</summary>
    string Name { get; }

    /// <summary>Runs and writes the report; returns it (already written).</summary>
    LabReport Run(LabContext context);
}
