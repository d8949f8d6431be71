// API keys and roles, shared by the three services (docs/access-control.md).
export * from './access';
export * from './caller';
export * from './api-key';
export * from './api-key.schema';
export * from './api-key.store';
export * from './api-key.authenticator';
export * from './api-key.guard';
export * from './api-keys.service';
export * from './auth-options';
export * from './auth.module';
export * from './bootstrap-admin-key';
export * from './current-principal.decorator';
export * from './verified-key-cache';
export * from './route-permissions';
