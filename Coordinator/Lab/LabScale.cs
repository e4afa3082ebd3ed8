namespace DistTrainer.Coordinator.Lab;

/// <summary>
/// How big an experiment's runs are. Full: what docs/experiments.md shows. Reduced: what `lab all`
/// runs by default, everything within minutes on 2 cores. Tiny: seconds, for the tests; the effect an
/// experiment is about must still show.
/// </summary>
public enum LabScale
{
    Tiny,
    Reduced,
    Full,
}
