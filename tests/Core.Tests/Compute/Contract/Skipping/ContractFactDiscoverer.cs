using Xunit.Abstractions;
using Xunit.Sdk;

namespace DistTrainer.Core.Tests.Compute.Contract.Skipping;

/// <summary>
/// Finds a <see cref="ContractFactAttribute"/> test as xunit finds a fact, or as one skipped test case
/// where the GPU its class needs is missing.
/// </summary>
public sealed class ContractFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions,
        ITestMethod testMethod, IAttributeInfo factAttribute) =>
        GpuPresence.SkippedTestCase(DiagnosticMessageSink, discoveryOptions, testMethod) is { } skipped
            ? [skipped]
            : base.Discover(discoveryOptions, testMethod, factAttribute);
}
