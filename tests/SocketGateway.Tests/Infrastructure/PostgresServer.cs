using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace SocketGateway.Tests.Infrastructure;

/// <summary>
/// The real PostgreSQL the store tests talk to, one per test process: the server <c>./test.sh</c> started (its
/// superuser connection string in <c>SOCKETGATEWAY_TEST_POSTGRES</c>), or else a private one this process starts in
/// a temporary directory on a free 127.0.0.1 port from the binaries under /usr/lib/postgresql and stops at exit.
/// Without either, the PostgreSQL tests fail and say so: they never pass or skip silently.
/// </summary>
public sealed class PostgresServer
{
    public const string EnvironmentVariable = "SOCKETGATEWAY_TEST_POSTGRES";

    private static readonly Lazy<Task<PostgresServer>> Shared = new(StartAsync);

    private PostgresServer(string adminConnectionString) => AdminConnectionString = adminConnectionString;

    /// <summary>A superuser's connection string to the server's <c>postgres</c> database.</summary>
    public string AdminConnectionString { get; }

    public static Task<PostgresServer> GetAsync() => Shared.Value;

    /// <summary>A new, empty database with a random name; its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"sg_{Guid.NewGuid():N}";
        await AdminAsync($"CREATE DATABASE {name}");
        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
    }

    public Task DropDatabaseAsync(string connectionString) =>
        AdminAsync($"DROP DATABASE IF EXISTS {DatabaseName(connectionString)} WITH (FORCE)");

    /// <summary>
    /// Makes the database unreachable, as a server that went away would be: no new connection is accepted and every
    /// open one is cut. Disposing the result lets connections in again.
    /// </summary>
    public async Task<IAsyncDisposable> RefuseConnectionsAsync(string connectionString)
    {
        var name = DatabaseName(connectionString);
        await AdminAsync($"""
            ALTER DATABASE {name} WITH ALLOW_CONNECTIONS false;
            SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid();
            """);
        return new Reopening(() => AdminAsync($"ALTER DATABASE {name} WITH ALLOW_CONNECTIONS true"));
    }

    public async Task AdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static string DatabaseName(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString).Database ?? throw new ArgumentException("no database named", nameof(connectionString));

    private static async Task<PostgresServer> StartAsync()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } given)
        {
            return new PostgresServer(given);
        }

        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin")).Where(b => File.Exists(Path.Combine(b, "postgres"))).Order().LastOrDefault()
            : null;
        if (bin is null)
        {
            throw new InvalidOperationException(
                $"The PostgreSQL store tests need a real PostgreSQL: run ./test.sh (it installs postgresql and starts a private server), " +
                $"or install postgresql (its binaries under /usr/lib/postgresql/*/bin), or set {EnvironmentVariable} to a superuser's Npgsql connection string.");
        }

        return await PrivateServer.StartAsync(bin);
    }

    private sealed class Reopening(Func<Task> reopen) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await reopen();
    }

    /// <summary>initdb and postgres in a temporary directory, as the postgres user when this process is root (root cannot run them).</summary>
    private static class PrivateServer
    {
        private const string Prefix = "socketgateway-pg-";
        private const string OwnerFile = "owner";

        public static async Task<PostgresServer> StartAsync(string bin)
        {
            await ReapLeftoversAsync();
            var directory = Directory.CreateTempSubdirectory(Prefix).FullName;
            await File.WriteAllTextAsync(Path.Combine(directory, OwnerFile), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var data = Path.Combine(directory, "data");
            var sockets = Path.Combine(directory, "sockets");
            Directory.CreateDirectory(sockets);
            var asRoot = Environment.UserName == "root";
            if (asRoot)
            {
                await RunAsync("chown", ["-R", "postgres:postgres", directory]);
            }

            await RunAsync(Path.Combine(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"], asRoot);
            var port = FreePort();
            // fsync off: a throwaway server whose machine does not crash during a test run; commits still go through the WAL.
            var server = Start(Path.Combine(bin, "postgres"), ["-D", data, "-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-k", sockets, "-c", "fsync=off", "-c", "max_connections=300"], asRoot);
            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            server.ErrorDataReceived += (_, e) =>
            {
                if (e.Data?.Contains("ready to accept connections", StringComparison.Ordinal) == true)
                {
                    ready.TrySetResult();
                }
            };
            server.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"postgres exited at start with code {server.ExitCode}"));
            server.EnableRaisingEvents = true;
            server.BeginErrorReadLine();
            server.BeginOutputReadLine();
            AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop(server, directory);
            await ready.Task.WaitAsync(Timeouts.Start);
            return new PostgresServer($"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres");
        }

        private static void Stop(Process server, string directory)
        {
            try
            {
                // SIGINT: a fast shutdown that also ends the server's children and frees its shared memory.
                using (var signal = Process.Start("kill", ["-INT", server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                {
                    signal.WaitForExit();
                }

                if (!server.WaitForExit(TimeSpan.FromSeconds(10)))
                {
                    server.Kill(entireProcessTree: true);
                }

                // A process of its own: the test host may be ended before a data directory is deleted.
                Process.Start("rm", ["-rf", directory])?.Dispose();
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or System.ComponentModel.Win32Exception or UnauthorizedAccessException)
            {
                // The process is ending anyway; a leftover temporary directory is all that is lost.
            }
        }

        // What a test process that was ended before its exit handler ran (a hang timeout, a kill) left behind: its
        // server, if still running, is stopped and its directory removed. Servers of live test processes are theirs.
        private static async Task ReapLeftoversAsync()
        {
            foreach (var directory in Directory.GetDirectories(Path.GetTempPath(), Prefix + "*"))
            {
                if (!int.TryParse(ReadOrEmpty(Path.Combine(directory, OwnerFile)), out var owner) || IsAlive(owner))
                {
                    continue;
                }

                var postmaster = ReadOrEmpty(Path.Combine(directory, "data", "postmaster.pid")).Split('\n')[0];
                if (int.TryParse(postmaster, out var serverId) && IsAlive(serverId))
                {
                    using var orphan = Process.GetProcessById(serverId);
                    await RunAsync("kill", ["-INT", postmaster]);
                    await orphan.WaitForExitAsync().WaitAsync(Timeouts.Stop);
                }

                await RunAsync("rm", ["-rf", directory]);
            }
        }

        private static string ReadOrEmpty(string path)
        {
            try
            {
                return File.ReadAllText(path).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return "";
            }
        }

        private static bool IsAlive(int processId)
        {
            try
            {
                using var process = Process.GetProcessById(processId);
                return !process.HasExited;
            }
            catch (ArgumentException)
            {
                return false;
            }
        }

        private static int FreePort()
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            return ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        private static Process Start(string program, string[] arguments, bool asPostgresUser)
        {
            var start = new ProcessStartInfo(asPostgresUser ? "setpriv" : program)
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            if (asPostgresUser)
            {
                // setpriv execs the program in its own place, so the process id is the server's.
                foreach (var argument in (string[])["--reuid=postgres", "--regid=postgres", "--init-groups", "--", program])
                {
                    start.ArgumentList.Add(argument);
                }
            }

            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            return Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        }

        private static async Task RunAsync(string program, string[] arguments, bool asPostgresUser = false)
        {
            using var process = Start(program, arguments, asPostgresUser);
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(Timeouts.Start);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{program} failed ({process.ExitCode}): {await output}{await errors}");
            }
        }
    }
}
