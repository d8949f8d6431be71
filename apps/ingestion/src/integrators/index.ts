// Integrators (who reports usage) and their API keys.
export {
  INTEGRATOR_ERROR,
  INTEGRATOR_ROLE,
  IntegratorService,
  type CreateIntegratorInput,
  type IntegratorView,
} from './integrator.service';
export { IntegratorsModule } from './integrators.module';
export { integratorTableDownStatements, integratorTableStatements } from './tables';
