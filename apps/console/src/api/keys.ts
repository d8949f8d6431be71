// The keys the console holds, one per service, in sessionStorage only (gone with the tab).
import type { Service } from './client';

const STORAGE_KEY = 'plafond.console.keys';
type Keys = Partial<Record<Service, string>>;

function read(): Keys {
  try {
    const raw = window.sessionStorage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as Keys) : {};
  } catch {
    return {};
  }
}

export function getKey(service: Service): string | undefined {
  return read()[service];
}

export function getKeys(): Keys {
  return read();
}

export function setKeys(keys: Keys): void {
  window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(keys));
}

export function clearKeys(): void {
  window.sessionStorage.removeItem(STORAGE_KEY);
}
