# The page's SignalR client: the npm package pinned by package-lock.json, copied where the page loads it.
FROM node:20-bookworm-slim AS web
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts \
 && mkdir -p wwwroot/lib/signalr \
 && cp node_modules/@microsoft/signalr/dist/browser/signalr.min.js node_modules/@microsoft/signalr/dist/browser/signalr.min.js.map wwwroot/lib/signalr/

# Build: the same restore/publish the README and CI use (with the client already in place, the build skips npm).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
COPY --from=web /src/wwwroot/lib/ wwwroot/lib/
RUN dotnet publish src/SocketGateway/SocketGateway.csproj -c Release -o /app

# Run: the ASP.NET Core runtime only, as a non-root user, data on a volume.
FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
RUN mkdir -p /app/data && chown -R app:app /app/data
USER app
ENV Gateway__BindAddress=0.0.0.0 \
    ConnectionStrings__Gateway="Data Source=/app/data/gateway.db"
# 5556 is the TCP-over-TLS listener, on only when Gateway__Tcp__Certificate__Path is set.
EXPOSE 8080 5555 5556
VOLUME ["/app/data"]
ENTRYPOINT ["dotnet", "SocketGateway.dll"]
