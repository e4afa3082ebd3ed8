using System.Collections.Immutable;
using DistTrainer.Core.Data;
using DistTrainer.Core.Training.WireFormat;
using Hyperion;

namespace DistTrainer.Cluster.Serialization;

/// <summary>
/// The only types <see cref="HyperionMessageSerializer"/> builds from bytes off the network: those of
/// the DistTrainer.Cluster.Protocol namespace, the actor-ref surrogate, the dataset fingerprint, the wire dtype, primitives, strings, and arrays,
/// lists, dictionaries and immutable arrays of allowed types. Anything else could run code of its
/// choosing while being built (DESIGN §3), so Hyperion refuses it, naming the type.
/// </summary>
public sealed class ProtocolTypeFilter : ITypeFilter
{
    public const string ProtocolNamespace = "DistTrainer.Cluster.Protocol";

    public static ProtocolTypeFilter Instance { get; } = new();

    private static readonly ImmutableHashSet<Type> Scalars =
    [
        typeof(string), typeof(decimal), typeof(Guid), typeof(DateTime), typeof(DateTimeOffset), typeof(TimeSpan),
        // Hyperion writes a dictionary as its entries.
        typeof(System.Collections.DictionaryEntry),
        typeof(ActorRefSurrogate),
        // The one core type the protocol carries (inside TrainingJob): a record of primitives.
        typeof(DatasetFingerprint),
        // The gradients' wire format (inside TrainingJob): an enum.
        typeof(WireDtype),
    ];

    private static readonly ImmutableHashSet<Type> Containers =
    [
        typeof(List<>), typeof(Dictionary<,>), typeof(KeyValuePair<,>), typeof(ImmutableArray<>), typeof(Nullable<>),
    ];

    /// <summary>
    /// Hyperion asks with its short assembly-qualified name, where ",%core%" stands for the core
    /// library's version and key. Resolving a name only reads metadata; no code of the type runs.
    /// </summary>
    public bool IsAllowed(string typeName) =>
        Type.GetType(typeName.Replace(",%core%", "", StringComparison.Ordinal), throwOnError: false) is { } type && IsAllowed(type);

    public static bool IsAllowed(Type type)
    {
        if (type.IsPrimitive || Scalars.Contains(type))
            return true;
        if (type.IsArray)
            return type.GetArrayRank() == 1 && IsAllowed(type.GetElementType()!);
        if (type.IsGenericType && !type.IsGenericTypeDefinition && Containers.Contains(type.GetGenericTypeDefinition()))
            return type.GetGenericArguments().All(IsAllowed);
        return IsProtocolType(type) && (!type.IsGenericType || type.GetGenericArguments().All(IsAllowed));
    }

    internal static bool IsProtocolType(Type type) =>
        type.Namespace is { } name &&
        (name == ProtocolNamespace || name.StartsWith(ProtocolNamespace + ".", StringComparison.Ordinal));
}
