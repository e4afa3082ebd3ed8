namespace DistTrainer.Core.Tests.Compute.Contract.Skipping;

/// <summary>
/// Marks a run of the contract on a GPU: where ILGPU finds none, <see cref="ContractFactAttribute"/> and
/// <see cref="ContractTheoryAttribute"/> report its tests as skipped, saying why, instead of failing them.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresGpuAttribute : Attribute;
