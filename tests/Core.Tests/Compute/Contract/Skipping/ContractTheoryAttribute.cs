using Xunit;
using Xunit.Sdk;

namespace DistTrainer.Core.Tests.Compute.Contract.Skipping;

/// <summary>A test of the backend contract: a theory, skipped in a run that needs a GPU on a machine without one.</summary>
[XunitTestCaseDiscoverer("DistTrainer.Core.Tests.Compute.Contract.Skipping.ContractTheoryDiscoverer", "DistTrainer.Core.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class ContractTheoryAttribute : TheoryAttribute;
