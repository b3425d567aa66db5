using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

/// <summary>
/// Loaded into a server process by <c>DOTNET_STARTUP_HOOKS</c> when <c>BENCH_STATS_SOCKET</c> names a Unix socket
/// path: every connection to that socket gets one line, "allocated-bytes cpu-milliseconds gen0 gen1 gen2
/// loaded-assemblies", read from inside the process. The runtime calls <see cref="Initialize"/> before Main; it must
/// be a static method of a class named StartupHook outside any namespace.
/// </summary>
internal static class StartupHook
{
    public static void Initialize()
    {
        if (Environment.GetEnvironmentVariable("BENCH_STATS_SOCKET") is not { Length: > 0 } path)
        {
            return;
        }

        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        File.Delete(path);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(4);
        new Thread(() => Serve(listener)) { IsBackground = true, Name = "bench stats" }.Start();
    }

    private static void Serve(Socket listener)
    {
        while (true)
        {
            try
            {
                using var connection = listener.Accept();
                using var process = Process.GetCurrentProcess();
                var line = string.Create(CultureInfo.InvariantCulture,
                    $"{GC.GetTotalAllocatedBytes(precise: true)} {process.TotalProcessorTime.TotalMilliseconds:F1} {GC.CollectionCount(0)} {GC.CollectionCount(1)} {GC.CollectionCount(2)} {AppDomain.CurrentDomain.GetAssemblies().Length}\n");
                connection.Send(Encoding.ASCII.GetBytes(line));
            }
            catch (SocketException)
            {
                return;
            }
        }
    }
}
