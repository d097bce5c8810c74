export * from "./cache";
export {
    DEFAULT_DRAGONFLY_PROACTOR_THREADS,
    DRAGONFLY_MAX_PROACTOR_THREADS,
    DRAGONFLY_MIN_MEMORY_PER_THREAD,
    parseMemoryLimit,
    validateDragonflyInput,
} from "./config";
