using SocketGateway;

await GatewayApp.Build(args).RunAsync().ConfigureAwait(false);
