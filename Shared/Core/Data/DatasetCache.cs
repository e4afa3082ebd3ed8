using System.Globalization;
using System.Runtime.CompilerServices;

namespace DistTrainer.Core.Data;

/// <summary>
/// The datasets this process has read from IDX files, so that the coordinator and the workers it runs
/// in-process share one read-only copy instead of one each. An entry is keyed by the files' full paths,
/// sizes and modification times (a rewritten file is read again) and holds its datasets weakly: it
/// lives exactly as long as some part of the process uses them or a head cut from them, and the map
/// drops dead entries on every load, which bounds it by the datasets alive. A test set lives as long as
/// its training set.
/// </summary>
internal static class DatasetCache
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, Entry> Entries = [];

    /// <summary>
    /// The datasets named <paramref name="name"/> read from <paramref name="files"/>: the ones an earlier
    /// load returned while they are still in use, else what <paramref name="load"/> reads. Loads of the
    /// same files wait for each other rather than read them twice.
    /// </summary>
    public static (Dataset Train, Dataset? Test) GetOrLoad(string name, IEnumerable<string> files, Func<(Dataset Train, Dataset? Test)> load)
    {
        string key = KeyOf(name, files);
        lock (Gate)
        {
            foreach (string dead in Entries.Where(e => !e.Value.IsAlive).Select(e => e.Key).ToList())
            {
                Entries.Remove(dead);
            }

            if (Entries.TryGetValue(key, out Entry? entry) && entry.TryGet(out var cached))
            {
                return cached;
            }

            var loaded = load();
            Entries[key] = new Entry(loaded.Train, loaded.Test);
            return loaded;
        }
    }

    private static string KeyOf(string name, IEnumerable<string> files) =>
        string.Join('\n', files.Select(Stamp).Prepend(name));

    private static string Stamp(string path)
    {
        var file = new FileInfo(path);
        return string.Create(CultureInfo.InvariantCulture, $"{file.FullName}\t{file.Length}\t{file.LastWriteTimeUtc.Ticks}");
    }

    /// <summary>One load's datasets, held weakly.</summary>
    private sealed class Entry
    {
        // The test set lives as long as its training set does: a worker that keeps only the training
        // set still leaves both for the next node of this process to find.
        private static readonly ConditionalWeakTable<Dataset, StrongBox<Dataset?>> TestOf = [];

        private readonly WeakReference<Dataset> _train;

        public Entry(Dataset train, Dataset? test)
        {
            _train = new WeakReference<Dataset>(train);
            TestOf.AddOrUpdate(train, new StrongBox<Dataset?>(test));
        }

        public bool IsAlive => _train.TryGetTarget(out _);

        public bool TryGet(out (Dataset Train, Dataset? Test) sets)
        {
            bool alive = _train.TryGetTarget(out Dataset? train);
            sets = alive && TestOf.TryGetValue(train!, out var test) ? (train!, test.Value) : default;
            return alive;
        }
    }
}
