using DistTrainer.Core.Compute.Reference;
using DistTrainer.Core.Tests.Compute.Contract;

namespace DistTrainer.Core.Tests.Compute.Reference;

/// <summary>
/// The specification held to the hand-computed part of the contract: the other backends are compared
/// with it, so it must itself give the values worked out by hand.
/// </summary>
public sealed class ReferenceBackendContractTests() : ExactValueContract(new ReferenceBackend(), ownsBackend: true);
