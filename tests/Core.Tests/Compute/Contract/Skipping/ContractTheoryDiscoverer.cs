using Xunit.Abstractions;
using Xunit.Sdk;

namespace DistTrainer.Core.Tests.Compute.Contract.Skipping;

/// <summary>
/// Finds a <see cref="ContractTheoryAttribute"/> test as xunit finds a theory, or as one skipped test case
/// where the GPU its class needs is missing.
/// </summary>
public sealed class ContractTheoryDiscoverer(IMessageSink diagnosticMessageSink) : TheoryDiscoverer(diagnosticMessageSink)
{
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions,
        ITestMethod testMethod, IAttributeInfo theoryAttribute) =>
        GpuPresence.SkippedTestCase(DiagnosticMessageSink, discoveryOptions, testMethod) is { } skipped
            ? [skipped]
            : base.Discover(discoveryOptions, testMethod, theoryAttribute);
}
