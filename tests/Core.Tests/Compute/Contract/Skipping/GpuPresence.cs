using DistTrainer.Core.Compute.Ilgpu;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace DistTrainer.Core.Tests.Compute.Contract.Skipping;

/// <summary>
/// Whether this machine has a GPU for the runs marked <see cref="RequiresGpuAttribute"/>: probed once per
/// test run, at discovery, with the device choice the GPU run itself makes.
/// </summary>
internal static class GpuPresence
{
    public const string Absent = "ILGPU finds no CUDA device and no OpenCL GPU on this machine";

    private static readonly Lazy<bool> Present = new(() =>
    {
        using var gpu = TryCreateGpu();
        return gpu is not null;
    });

    /// <summary>The first CUDA device, else the first OpenCL GPU, else null.</summary>
    public static IlgpuBackend? TryCreateGpu() => IlgpuBackend.TryCreateCuda() ?? IlgpuBackend.TryCreateOpenClGpu();

    /// <summary>
    /// One skipped test case standing for <paramref name="testMethod"/> when its class needs a GPU this machine
    /// lacks, else null: xunit 2 can only skip a test at discovery, and only through its test case's skip reason.
    /// </summary>
    public static IXunitTestCase? SkippedTestCase(IMessageSink diagnosticMessageSink,
        ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod) =>
        testMethod.TestClass.Class.GetCustomAttributes(typeof(RequiresGpuAttribute)).Any() && !Present.Value
            ? new XunitSkippedDataRowTestCase(diagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(),
                discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, Absent)
            : null;
}
