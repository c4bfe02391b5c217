import * as tf from '@tensorflow/tfjs';

/** Global min pooling over H and W (cnniqa pools max and min). tfjs has only global max/avg. */
export class GlobalMinPooling2D extends tf.layers.Layer {
  static className = 'GlobalMinPooling2D';

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = inputShape as tf.Shape;
    return [s[0] ?? null, s[3] ?? null];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.min(Array.isArray(inputs) ? inputs[0]! : inputs, [1, 2]));
  }
}
tf.serialization.registerClass(GlobalMinPooling2D);
