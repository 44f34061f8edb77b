import checkDiskSpaceImport from "check-disk-space";

/** Free and total bytes of the filesystem holding a path. */
interface DiskSpace {
  free: number;
  size: number;
}

/** Reads the free space of a path's filesystem (injectable in tests). */
export type GetDiskSpace = (path: string) => Promise<DiskSpace>;

/** GB in option names (`min_gb`, `target_free_gb`) are GiB, as `df -h` shows them. */
export const BYTES_PER_GB = 1024 ** 3;

type CheckDiskSpace = (path: string) => Promise<{ diskPath: string; free: number; size: number }>;

// The package's type declarations describe its CommonJS build; under ESM the default export is the function itself.
const checkDiskSpace = (
  typeof checkDiskSpaceImport === "function"
    ? checkDiskSpaceImport
    : (checkDiskSpaceImport as unknown as { default: CheckDiskSpace }).default
) as CheckDiskSpace;

/** check-disk-space (`df -Pk -- path`, no shell). */
export const getDiskSpace: GetDiskSpace = async (path) => {
  const { free, size } = await checkDiskSpace(path);
  return { free, size };
};

/** `12.3 GB`, `512 MB`: sizes for the journal. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}
